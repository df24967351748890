import { parseTaggedLocalPart, type MessageTagRef } from '../shared/message-tag.ts';

/** Longest reference worth reading: an RFC 5321 path is at most 256 octets; a Message-ID is shorter in practice. */
const MAX_REF_LENGTH = 998;

/** Strips surrounding space and angle brackets without a pattern (stranger input: no backtracking). */
function unbracket(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === '<' || value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === '>' || value[end - 1] === ' ' || value[end - 1] === '\t' || value[end - 1] === '\r' || value[end - 1] === '\n')) end--;
  return value.slice(start, end);
}

/** A Message-ID header value without angle brackets or surrounding space; undefined when empty or absurdly long. */
export function headerMessageIdOf(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_REF_LENGTH) return undefined;
  const stripped = unbracket(value.trim());
  return stripped === '' ? undefined : stripped;
}

/**
 * Our Message-ID is `<id.tag@domain>` (`<id@domain>` before tags: shared/message-tag.ts), so a
 * Message-ID whose local part has that shape may name our message; the ref says whether it carries
 * a tag. Whether the tag verifies is the caller's business: relays are believed without it.
 * When `domain` is given the domain must match too.
 */
export function messageRefFromHeaderMessageId(value: string | undefined | null, domain?: string): MessageTagRef | undefined {
  const id = headerMessageIdOf(value);
  if (id === undefined) return undefined;
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  if (domain !== undefined && id.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return undefined;
  return parseTaggedLocalPart(id.slice(0, at));
}

/** Our message id named by a Message-ID, tagged or not (for feedback from authenticated relays). */
export function mailgateIdFromHeaderMessageId(value: string | undefined | null, domain?: string): string | undefined {
  return messageRefFromHeaderMessageId(value, domain)?.id;
}

/**
 * The envelope sender of our mail is `bounces+<id>.<tag>@<BOUNCE_DOMAIN>` (VERP), so the address a
 * bounce is sent to names the message. Domains compare case-insensitively; the `bounces` tag too,
 * since some MTAs lower- or upper-case whole addresses. Accepts "rfc822;" prefixes and brackets.
 */
export function messageRefFromVerp(address: string | undefined | null, bounceDomain: string | undefined): MessageTagRef | undefined {
  if (typeof address !== 'string' || address.length > MAX_REF_LENGTH || bounceDomain === undefined || bounceDomain === '') return undefined;
  let bare = address.trim();
  if (bare.slice(0, 7).toLowerCase() === 'rfc822;') bare = bare.slice(7);
  bare = unbracket(bare.trim());
  const at = bare.lastIndexOf('@');
  if (at <= 0 || bare.slice(at + 1).toLowerCase() !== bounceDomain.toLowerCase()) return undefined;
  const local = bare.slice(0, at);
  if (local.slice(0, 8).toLowerCase() !== 'bounces+') return undefined;
  return parseTaggedLocalPart(local.slice(8));
}

/** Our message id named by a VERP address, tagged or not. */
export function mailgateIdFromVerp(address: string | undefined | null, bounceDomain: string | undefined): string | undefined {
  return messageRefFromVerp(address, bounceDomain)?.id;
}
