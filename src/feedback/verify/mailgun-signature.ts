import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_FUTURE_SKEW_MS, isFresh, parseUnixSeconds } from './freshness.ts';
import type { TokenReplayGuard } from './token-replay-guard.ts';
import { refuse, type VerifyRefusal } from './verify-result.ts';

export const DEFAULT_MAILGUN_MAX_AGE_MS = 5 * 60_000;

export interface MailgunSignatureInput {
  /** The webhook signing key from Mailgun's settings (not the API key). */
  signingKey: string;
  /** The `signature` object of the webhook body; any part may be missing in a forged request. */
  timestamp: string | undefined;
  token: string | undefined;
  signature: string | undefined;
  now: Date;
  maxAgeMs?: number;
}

export interface MailgunVerifyInput extends MailgunSignatureInput {
  replayGuard: TokenReplayGuard;
}

export type MailgunVerifyResult = { ok: true } | VerifyRefusal;

/**
 * Mailgun's webhook signature: hex HMAC-SHA256 of `timestamp + token`, keyed with the webhook
 * signing key (Mailgun docs: "Securing Webhooks"), plus our replay window on the signed timestamp.
 * Pure; it does not remember tokens. Use `verifyMailgun` on request paths.
 */
export function checkMailgunSignature(input: MailgunSignatureInput): MailgunVerifyResult {
  const { timestamp, token, signature } = input;
  if (!timestamp || !token || !signature) return refuse(401, 'mailgun_signature_missing', 'the Mailgun signature is missing');
  const expected = createHmac('sha256', input.signingKey).update(timestamp + token, 'utf8').digest();
  // Buffer.from(…, 'hex') silently drops bad digits, so the shape is checked first.
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse(403, 'mailgun_signature_invalid', 'the signature does not match');
  }
  const at = parseUnixSeconds(timestamp);
  if (at === undefined || !isFresh(at, input.now.getTime(), input.maxAgeMs ?? DEFAULT_MAILGUN_MAX_AGE_MS)) {
    return refuse(403, 'mailgun_timestamp_stale', 'the signed timestamp is outside the accepted window');
  }
  return { ok: true };
}

/**
 * The full check for a Mailgun webhook: signature and age first, then the one-time token. The token
 * is claimed only for signed, fresh requests, so a forger cannot burn Mailgun's real tokens ahead
 * of time. A rejection from the guard (Redis down) propagates: the route answers 503.
 */
export async function verifyMailgun(input: MailgunVerifyInput): Promise<MailgunVerifyResult> {
  const signed = checkMailgunSignature(input);
  if (!signed.ok) return signed;
  // Remember the token for as long as its timestamp could still pass the window.
  const ttlMs = (input.maxAgeMs ?? DEFAULT_MAILGUN_MAX_AGE_MS) + MAX_FUTURE_SKEW_MS;
  const first = await input.replayGuard.claim(input.token ?? '', ttlMs);
  if (!first) return refuse(403, 'mailgun_token_reused', 'this token was already used');
  return { ok: true };
}
