import { domainToASCII } from 'node:url';
import { AppError } from '../shared/errors.ts';

const MAX_LENGTH = 254;
// Longer input is refused before any parsing: no real address comes near it.
const MAX_INPUT_LENGTH = 1024;
// RFC 5321/5322 dot-atom local part (no quoted strings: they are legal but never seen in practice
// and a common vector for header tricks).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// What a domain may be typed with: ASCII letters, digits, hyphens and dots, or non-ASCII letters,
// marks and digits (internationalized names) and the ideographic full stops IDNA reads as dots.
// Anything else is refused here, because the URL host parser behind domainToASCII would otherwise
// percent-decode (`ex%41mple.com`), drop invisible characters (soft hyphen, zero-width space) or
// read numbers as IPv4 (`0x7f.1` → `127.0.0.1`), turning an invalid input into someone's address.
const DOMAIN_INPUT = /^[A-Za-z0-9.\-\u3002\uff0e\uff61\p{L}\p{M}\p{N}]+$/u;
// A top-level label starts with a letter (`com`, `xn--…`); an all-numeric one is an IP address.
const TOP_LABEL = /^[a-z]/;

export type NormalizeResult = { ok: true; address: string } | { ok: false; reason: string };

/**
 * The one key subscription state hangs on (docs/rules.md §1): trimmed, a single bare address, the
 * whole address lower-cased, the domain in ASCII (punycode). Dots and +tags are kept.
 */
export function tryNormalizeAddress(input: unknown): NormalizeResult {
  if (typeof input !== 'string') return { ok: false, reason: 'must be a string' };
  const trimmed = input.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'must not be empty' };
  if (trimmed.length > MAX_INPUT_LENGTH) return { ok: false, reason: `must be at most ${MAX_LENGTH} characters` };
  // C0 and C1 controls, DEL and the Unicode line/paragraph separators: header injection material.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(trimmed)) return { ok: false, reason: 'must not contain control characters (CR, LF, …)' };
  if (/[\s<>,;"()[\]\\]/.test(trimmed)) return { ok: false, reason: 'must be a single bare address, without display name' };
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || trimmed.indexOf('@') !== at) return { ok: false, reason: 'must contain exactly one @ with a local part' };
  const local = trimmed.slice(0, at);
  const domainInput = trimmed.slice(at + 1);
  if (local.length > 64) return { ok: false, reason: 'local part is longer than 64 characters' };
  if (!LOCAL_PART.test(local)) return { ok: false, reason: 'local part has characters an address cannot have' };
  if (!DOMAIN_INPUT.test(domainInput)) return { ok: false, reason: 'domain has characters a domain name cannot have' };
  const domain = domainToASCII(domainInput.toLowerCase());
  if (!domain) return { ok: false, reason: 'domain is not a valid (internationalized) domain name' };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TOP_LABEL.test(labels.at(-1) ?? '')) {
    return { ok: false, reason: 'domain must be a name with a dot, like example.com' };
  }
  const address = `${local.toLowerCase()}@${domain}`;
  if (address.length > MAX_LENGTH) return { ok: false, reason: `must be at most ${MAX_LENGTH} characters` };
  return { ok: true, address };
}

/** As tryNormalizeAddress, but a bad address is a 400 `invalid_address`. */
export function normalizeAddress(input: unknown): string {
  const result = tryNormalizeAddress(input);
  if (!result.ok) throw new AppError('invalid_address', `Invalid email address: ${result.reason}`, { status: 400 });
  return result.address;
}
