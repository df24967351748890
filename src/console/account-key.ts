import { AppError } from '../shared/errors.ts';

/** RFC 5321's longest address (64 + @ + 255). Longer input names no account and is refused as typed. */
export const MAX_EMAIL_LENGTH = 320;

/**
 * The account a typed email names: trimmed and lower-cased, so `' Ann@Example.com '` and
 * `ann@example.com` are one account. The one owner of that rule: account creation, lookup and the
 * per-account sign-in limit all key on it, so no spelling reaches an account under a fresh counter.
 * Input over MAX_EMAIL_LENGTH is refused rather than cut (a cut would let the tail vary freely).
 */
export function accountKey(typed: string): string {
  if (typed.length > MAX_EMAIL_LENGTH) {
    throw new AppError('email_too_long', `The email may have at most ${MAX_EMAIL_LENGTH} characters`, { status: 400 });
  }
  return typed.trim().toLowerCase();
}
