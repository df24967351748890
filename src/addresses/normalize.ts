import { domainToASCII } from 'node:url';
import { AppError } from '../shared/errors.ts';

const MAX_LENGTH = 254;
// RFC 5321/5322 dot-atom local part (no quoted strings: they are legal but never seen in practice
// and a common vector for header tricks).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type NormalizeResult = { ok: true; address: string } | { ok: false; reason: string };

/**
 * The one key subscription state hangs on (PRODUCT.md §1): trimmed, a single bare address, the
 * whole address lower-cased, the domain in ASCII (punycode). Dots and +tags are kept.
 */
export function tryNormalizeAddress(input: unknown): NormalizeResult {
  if (typeof input !== 'string') return { ok: false, reason: 'must be a string' };
  const trimmed = input.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'must not be empty' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return { ok: false, reason: 'must not contain control characters (CR, LF, …)' };
  if (/[\s<>,;"()[\]\\]/.test(trimmed)) return { ok: false, reason: 'must be a single bare address, without display name' };
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || trimmed.indexOf('@') !== at) return { ok: false, reason: 'must contain exactly one @ with a local part' };
  const local = trimmed.slice(0, at);
  const domainInput = trimmed.slice(at + 1);
  if (local.length > 64) return { ok: false, reason: 'local part is longer than 64 characters' };
  if (!LOCAL_PART.test(local)) return { ok: false, reason: 'local part has characters an address cannot have' };
  const domain = domainToASCII(domainInput.toLowerCase());
  if (!domain) return { ok: false, reason: 'domain is not a valid (internationalized) domain name' };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
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
