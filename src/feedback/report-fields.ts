/**
 * Readers for the "Name: value" field blocks that DSNs (RFC 3464 message/delivery-status), ARF
 * reports (RFC 5965 message/feedback-report) and returned message headers are made of.
 * mailparser hands these parts over as raw attachments, so reading them is ours to do.
 *
 * Anyone can mail the feedback listener, so every reader caps its input before a pattern runs, and
 * the shapes that need backtracking (addresses, runs of `<` and `>`) are found by plain scans.
 */

/** One block of fields; names lower-cased. */
export type FieldGroup = Map<string, string>;

/**
 * How much field text is read: a DSN or ARF part, or a returned header block. A DSN with one
 * recipient is under 1 KB and the headers of a real message under 30 KB (Received, DKIM and ARC
 * chains included); 64 KB holds both with room to spare.
 */
export const MAX_FIELD_TEXT = 64 * 1024;
/** Longest unfolded field value kept (longer ones are cut): a folded Diagnostic-Code runs to a few hundred characters. */
export const MAX_FIELD_VALUE = 4 * 1024;
/** Most blocks read: the per-message block and one per recipient (mailgate mails one recipient per message). */
export const MAX_FIELD_GROUPS = 100;
/** How far into a mail's text Message-ID lines are looked for: the returned original starts within a few KB. */
export const MAX_SCANNED_TEXT = 256 * 1024;

// Anchored, and each part is followed by a character it cannot match: no backtracking.
const FIELD = /^([!-9;-~]+):[ \t]*(.*)$/;

/** A folded line added to the value it continues, never past MAX_FIELD_VALUE. */
function unfold(value: string, line: string): string {
  if (value.length >= MAX_FIELD_VALUE) return value;
  return (value === '' ? line.trim() : `${value} ${line.trim()}`).slice(0, MAX_FIELD_VALUE);
}

/**
 * Splits field text into blocks separated by blank lines (a DSN: one per-message block, then one
 * per recipient), unfolding continuation lines. A repeated field keeps its first value.
 */
export function parseFieldGroups(text: string): FieldGroup[] {
  const groups: FieldGroup[] = [];
  let current: FieldGroup = new Map();
  let lastKey: string | undefined;
  for (const line of text.slice(0, MAX_FIELD_TEXT).replace(/\r\n?/g, '\n').split('\n')) {
    if (groups.length >= MAX_FIELD_GROUPS) return groups;
    if (line.trim() === '') {
      if (current.size > 0) {
        groups.push(current);
        current = new Map();
      }
      lastKey = undefined;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (lastKey !== undefined) current.set(lastKey, unfold(current.get(lastKey) ?? '', line));
      continue;
    }
    const match = FIELD.exec(line);
    const key = match?.[1]?.toLowerCase();
    if (match === null || key === undefined || current.has(key)) {
      lastKey = undefined;
      continue;
    }
    current.set(key, (match[2] ?? '').trim().slice(0, MAX_FIELD_VALUE));
    lastKey = key;
  }
  if (current.size > 0 && groups.length < MAX_FIELD_GROUPS) groups.push(current);
  return groups;
}

/** The header fields of a message or of a text/rfc822-headers part: everything up to the first blank line. */
export function headerBlock(text: string): FieldGroup {
  const normalized = text.slice(0, MAX_FIELD_TEXT).replace(/\r\n?/g, '\n').replace(/^\n+/, '');
  const end = normalized.indexOf('\n\n');
  return parseFieldGroups(end === -1 ? normalized : normalized.slice(0, end))[0] ?? new Map();
}

/**
 * Drops surrounding space, every leading `<` and trailing `>`, then space again: " <<a@b>> " → "a@b".
 * A scan, because `/>+$/` is quadratic on a long run of `>` that does not end the text.
 */
export function stripAngles(value: string): string {
  const trimmed = value.trim();
  let start = 0;
  let end = trimmed.length;
  while (start < end && trimmed[start] === '<') start += 1;
  while (end > start && trimmed[end - 1] === '>') end -= 1;
  return trimmed.slice(start, end).trim();
}

/** Longer than any address with its RFC 3464 type and brackets ("rfc822; <…>", at most 254 + 10). */
const MAX_ADDRESS_FIELD = 1024;

/** "rfc822; <a@b>" → "a@b": drops the address-type of RFC 3464 fields and angle brackets. */
export function bareAddress(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_ADDRESS_FIELD) return undefined;
  const bare = stripAngles(value.trim().replace(/^[a-z0-9-]+;\s*/i, ''));
  return bare.includes('@') ? bare : undefined;
}

// The runs of characters an address can be written with; every address lies within one run.
const ADDRESS_RUN = /[^\s<>"'(),;:[\]]+/g;

/** The address a run spells, local@domain.tld with trailing dots dropped, or undefined. */
function addressOfRun(run: string): string | undefined {
  let end = run.length;
  while (end > 0 && run[end - 1] === '.') end -= 1;
  const at = run.indexOf('@', 1);
  // The last dot with a character after it, and at least one character between the @ and it.
  const dot = end < 2 ? -1 : run.lastIndexOf('.', end - 2);
  return at !== -1 && dot >= at + 2 ? run.slice(0, end) : undefined;
}

/**
 * Every address written in a text, in order: what `/[^…]+@[^…]+\.[^….]+/g` (… = space and
 * `<>"'(),;:[]`) finds, found by a scan because that pattern is cubic on a run of `@`.
 */
export function addressesIn(text: string): string[] {
  const found: string[] = [];
  for (const [run] of text.matchAll(ADDRESS_RUN)) {
    const address = addressOfRun(run);
    if (address !== undefined) found.push(address);
  }
  return found;
}

/** The one address a header such as To names; undefined when it names none or several. */
export function singleAddressIn(value: string | undefined): string | undefined {
  // A value at the cap may have been cut (parseFieldGroups): half an address must not pass for one.
  if (value === undefined || value.length >= MAX_FIELD_VALUE) return undefined;
  const found = new Set(addressesIn(value));
  return found.size === 1 ? [...found][0] : undefined;
}

/** Every Message-ID header value written in a text, in order, without angle brackets. */
export function messageIdsIn(text: string): string[] {
  const ids: string[] = [];
  // Linear: each part is followed by a character it cannot match ([ \t] then newline or `<`, the id then `>`).
  const head = text.slice(0, MAX_SCANNED_TEXT);
  for (const match of head.matchAll(/^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]+)>/gim)) if (match[1] !== undefined) ids.push(match[1]);
  return ids;
}

/** RFC 6590 redaction ("redacted@…", "xxxxxx@…", "*****@…"): the address names nobody. */
export function isRedacted(address: string): boolean {
  const local = address.slice(0, address.lastIndexOf('@'));
  return local === '' || /redacted/i.test(address) || /^[x*#]+$/i.test(local);
}
