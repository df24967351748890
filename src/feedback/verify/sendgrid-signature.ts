import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { isFresh, parseUnixSeconds } from './freshness.ts';
import { refuse, type VerifyRefusal } from './verify-result.ts';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';
export const DEFAULT_SENDGRID_MAX_AGE_MS = 10 * 60_000;

export interface SendgridVerifyInput {
  /** The verification key as SendGrid's settings show it (base64 DER SubjectPublicKeyInfo), or a parsed key. */
  publicKey: string | KeyObject;
  /** `X-Twilio-Email-Event-Webhook-Signature`: base64 DER ECDSA signature. */
  signature: string | undefined;
  /** `X-Twilio-Email-Event-Webhook-Timestamp`: unix seconds. */
  timestamp: string | undefined;
  /** The body exactly as received: re-serialized JSON would not match the signature. */
  rawBody: Buffer;
  now: Date;
  maxAgeMs?: number;
}

export type SendgridVerifyResult = { ok: true } | VerifyRefusal;

/**
 * Parses SendGrid's verification key once, at start-up, so a mistyped key stops the configuration
 * instead of making every webhook fail. Throws when it is not a P-256 public key.
 */
export function parseSendgridPublicKey(base64Der: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(base64Der.trim(), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the SendGrid verification key is not an ECDSA P-256 public key');
  }
  return key;
}

/**
 * SendGrid's Signed Event Webhook: ECDSA P-256 / SHA-256 over the timestamp header followed by the
 * raw body (Twilio SendGrid docs: "Getting Started with the Event Webhook Security Features").
 * SendGrid documents no replay window; the timestamp is signed, so we bound it ourselves.
 */
export function verifySendgrid(input: SendgridVerifyInput): SendgridVerifyResult {
  const { signature, timestamp } = input;
  if (signature === undefined || signature === '' || timestamp === undefined || timestamp === '') {
    return refuse(401, 'sendgrid_signature_missing', 'the SendGrid signature headers are missing');
  }
  const key = typeof input.publicKey === 'string' ? parseSendgridPublicKey(input.publicKey) : input.publicKey;
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), input.rawBody]);
  let valid = false;
  try {
    valid = verifySignature('sha256', signed, key, Buffer.from(signature, 'base64'));
  } catch {
    // A signature that is not DER at all is as wrong as one that does not match.
    valid = false;
  }
  if (!valid) return refuse(403, 'sendgrid_signature_invalid', 'the signature does not match the body');
  // Checked after the signature: an attacker learns nothing about our window from unsigned requests.
  const at = parseUnixSeconds(timestamp);
  if (at === undefined || !isFresh(at, input.now.getTime(), input.maxAgeMs ?? DEFAULT_SENDGRID_MAX_AGE_MS)) {
    return refuse(403, 'sendgrid_timestamp_stale', 'the signed timestamp is outside the accepted window');
  }
  return { ok: true };
}
