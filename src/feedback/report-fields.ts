/**
 * Readers for the "Name: value" field blocks that DSNs (RFC 3464 message/delivery-status), ARF
 * reports (RFC 5965 message/feedback-report) and returned message headers are made of.
 * mailparser hands these parts over as raw attachments, so reading them is ours to do.
 */

/** One block of fields; names lower-cased. */
export type FieldGroup = Map<string, string>;

const FIELD = /^([!-9;-~]+):[ \t]*(.*)$/;

/**
 * Splits field text into blocks separated by blank lines (a DSN: one per-message block, then one
 * per recipient), unfolding continuation lines. A repeated field keeps its first value.
 */
export function parseFieldGroups(text: string): FieldGroup[] {
  const groups: FieldGroup[] = [];
  let current: FieldGroup = new Map();
  let lastKey: string | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) groups.push(current);
      current = new Map();
      lastKey = undefined;
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (lastKey !== undefined) current.set(lastKey, `${current.get(lastKey) ?? ''} ${line.trim()}`.trim());
      continue;
    }
    const match = FIELD.exec(line);
    const key = match?.[1]?.toLowerCase();
    if (match === null || key === undefined || current.has(key)) {
      lastKey = undefined;
      continue;
    }
    current.set(key, (match[2] ?? '').trim());
    lastKey = key;
  }
  if (current.size > 0) groups.push(current);
  return groups;
}

/** The header fields of a message or of a text/rfc822-headers part: everything up to the first blank line. */
export function headerBlock(text: string): FieldGroup {
  const normalized = text.replace(/\r\n?/g, '\n').replace(/^\n+/, '');
  const end = normalized.indexOf('\n\n');
  return parseFieldGroups(end === -1 ? normalized : normalized.slice(0, end))[0] ?? new Map();
}

/** "rfc822; <a@b>" → "a@b": drops the address-type of RFC 3464 fields and angle brackets. */
export function bareAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bare = value
    .trim()
    .replace(/^[a-z0-9-]+;\s*/i, '')
    .replace(/^<+/, '')
    .replace(/>+$/, '')
    .trim();
  return bare.includes('@') ? bare : undefined;
}

const ADDRESS = /[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+\.[^\s<>"'(),;:[\].]+/g;

/** The one address a header such as To names; undefined when it names none or several. */
export function singleAddressIn(value: string | undefined): string | undefined {
  const found = new Set((value ?? '').match(ADDRESS) ?? []);
  return found.size === 1 ? [...found][0] : undefined;
}

/** Every Message-ID header value written in a text, in order, without angle brackets. */
export function messageIdsIn(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/^message-id:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]+)>/gim)) if (match[1] !== undefined) ids.push(match[1]);
  return ids;
}

/** RFC 6590 redaction ("redacted@…", "xxxxxx@…", "*****@…"): the address names nobody. */
export function isRedacted(address: string): boolean {
  const local = address.slice(0, address.lastIndexOf('@'));
  return local === '' || /redacted/i.test(address) || /^[x*#]+$/i.test(local);
}
