import { stripAngles } from './report-fields.ts';

/** mailgate message ids are MongoDB ObjectIds written as 24 lower-case hex digits. */
const MAILGATE_ID = /^[0-9a-f]{24}$/i;
/** RFC 5322 caps a header line at 998 characters; a longer Message-ID is not one. */
const MAX_MESSAGE_ID = 998;
/** A VERP address is `bounces+<24 hex>@<domain>`: far shorter than this. */
const MAX_VERP_ADDRESS = 1024;

/** A Message-ID header value without angle brackets or surrounding space; undefined when empty or too long to be one. */
export function headerMessageIdOf(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const stripped = stripAngles(value);
  return stripped === '' || stripped.length > MAX_MESSAGE_ID ? undefined : stripped;
}

/**
 * Our Message-ID is `<messageId@domain>` (see the nodemailer transport), so a returned original
 * whose Message-ID has a 24-hex local part names our message. When `domain` is given the domain
 * must match too, which keeps another sender's ObjectId-shaped ids from being taken for ours.
 */
export function mailgateIdFromHeaderMessageId(value: string | undefined | null, domain?: string): string | undefined {
  const id = headerMessageIdOf(value);
  if (id === undefined) return undefined;
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = id.slice(0, at);
  if (!MAILGATE_ID.test(local)) return undefined;
  if (domain !== undefined && id.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return undefined;
  return local.toLowerCase();
}

/**
 * The envelope sender of our mail is `bounces+<messageId>@<BOUNCE_DOMAIN>` (VERP), so the address
 * a bounce is sent to names the message. Domains compare case-insensitively; the `bounces` tag too,
 * since some MTAs lower- or upper-case whole addresses.
 */
export function mailgateIdFromVerp(address: string | undefined | null, bounceDomain: string | undefined): string | undefined {
  if (typeof address !== 'string' || address.length > MAX_VERP_ADDRESS || bounceDomain === undefined || bounceDomain === '') return undefined;
  const bare = stripAngles(address.trim().replace(/^rfc822;\s*/i, ''));
  const match = /^bounces\+([0-9a-f]{24})@(.+)$/i.exec(bare);
  if (!match || match[2]?.toLowerCase() !== bounceDomain.toLowerCase()) return undefined;
  return match[1]?.toLowerCase();
}
