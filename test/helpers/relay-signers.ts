// How the relays authenticate their webhooks, done as each relay does it (docs/feedback.md), for tests
// that post to the real receivers: Postmark's basic auth, SendGrid's ECDSA signature and Mailgun's
// HMAC with a one-time token. Amazon SNS has its own fake (sns-fake.ts), which also serves the
// certificate. Written from the providers' documentation, not imported from src/feedback/verify/,
// so a mistake in the verifier cannot hide in both.
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** Unix seconds, as the relays write their timestamps. */
export const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

/** Postmark: the credentials written into the webhook URL arrive as HTTP basic auth. */
export const basicAuth = (credentials: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
});

export interface SendgridKeys {
  privateKey: KeyObject;
  /** As SendGrid shows the verification key in its settings: base64 DER (SPKI). */
  publicKeyBase64: string;
}

/** A fresh P-256 key pair, as SendGrid makes for a Signed Event Webhook. */
export function sendgridKeys(): SendgridKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** SendGrid's signature headers: ECDSA P-256/SHA-256 over timestamp + raw body, base64 DER. */
export function sendgridHeaders(body: string, privateKey: KeyObject, timestamp = nowSeconds()): Record<string, string> {
  return {
    'x-twilio-email-event-webhook-timestamp': timestamp,
    'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + body, 'utf8'), privateKey).toString('base64'),
  };
}

export type MailgunSignature = { timestamp: string; token: string; signature: string };

/** Mailgun's `signature` block: hex HMAC-SHA256 of timestamp + token under the webhook signing key; a fresh token unless given. */
export function mailgunSignature(signingKey: string, fields: { timestamp?: string; token?: string } = {}): MailgunSignature {
  const timestamp = fields.timestamp ?? nowSeconds();
  const token = fields.token ?? randomBytes(25).toString('hex');
  return { timestamp, token, signature: createHmac('sha256', signingKey).update(timestamp + token).digest('hex') };
}
