import { parseTaggedLocalPart, type MessageTagRef } from '../shared/message-tag.ts';
import { stripAngles } from './report-fields.ts';

/** RFC 5322 caps a header line at 998 characters; a longer Message-ID is not one. */
const MAX_MESSAGE_ID = 998;
/** A VERP address is `bounces+<24 hex>.<16 hex>@<domain>`: far shorter than this. */
const MAX_VERP_ADDRESS = 1024;

/** A Message-ID header value without angle brackets or surrounding space; undefined when empty or too long to be one. */
export function headerMessageIdOf(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const stripped = stripAngles(value);
  return stripped === '' || stripped.length > MAX_MESSAGE_ID ? undefined : stripped;
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

/** The VERP domains to accept: one, or each stream's (config-streams.ts), without empties. */
export type BounceDomains = string | readonly string[] | undefined;
export const domainsOf = (bounceDomain: BounceDomains): string[] =>
  (typeof bounceDomain === 'string' ? [bounceDomain] : (bounceDomain ?? [])).filter((d) => d !== '').map((d) => d.toLowerCase());

/**
 * The envelope sender of our mail is `bounces+<id>.<tag>@<bounce domain>` (VERP; each stream may
 * have its own domain), so the address a bounce is sent to names the message. Domains compare
 * case-insensitively; the `bounces` tag too, since some MTAs lower- or upper-case whole addresses.
 * Accepts "rfc822;" prefixes and brackets.
 */
export function messageRefFromVerp(address: string | undefined | null, bounceDomain: BounceDomains): MessageTagRef | undefined {
  const domains = domainsOf(bounceDomain);
  if (typeof address !== 'string' || address.length > MAX_VERP_ADDRESS || domains.length === 0) return undefined;
  let bare = address.trim();
  if (bare.slice(0, 7).toLowerCase() === 'rfc822;') bare = bare.slice(7);
  bare = stripAngles(bare);
  const at = bare.lastIndexOf('@');
  if (at <= 0 || !domains.includes(bare.slice(at + 1).toLowerCase())) return undefined;
  const local = bare.slice(0, at);
  if (local.slice(0, 8).toLowerCase() !== 'bounces+') return undefined;
  return parseTaggedLocalPart(local.slice(8));
}

/** Our message id named by a VERP address, tagged or not. */
export function mailgateIdFromVerp(address: string | undefined | null, bounceDomain: BounceDomains): string | undefined {
  return messageRefFromVerp(address, bounceDomain)?.id;
}
