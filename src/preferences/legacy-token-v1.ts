import { createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * VERIFY-ONLY decoder for version-1 link tokens, the hand-built AES-256-CTR + truncated
 * HMAC-SHA256 format that mailgate minted before it switched to AES-256-GCM (version 2, see
 * tokens.ts). Nothing mints this format any more; this file exists only so that links already in
 * recipients' inboxes keep opening.
 *
 * Delete it (and the `LEGACY_V1` branch in tokens.ts) once every v1 token has expired: footer and
 * unsubscribe links live LINK_TOKEN_TTL_S = 2 × 366 days, so that is 732 days after the last
 * deployment that still minted v1 was replaced (confirmation tokens, 48 hours, expire long before).
 * Keep it byte-for-byte compatible until then: the unit tests open real v1 tokens as fixtures.
 *
 * Layout: base64url( version(1) = 0x01 | iv(16) | AES-256-CTR ciphertext | HMAC-SHA256(first 16) ).
 * The MAC covers version, IV and ciphertext, and is checked (in constant time) before decrypting.
 */
export const LEGACY_V1 = 1;
const IV_BYTES = 16;
const MAC_BYTES = 16;

export interface LegacyV1Keys {
  enc: Buffer;
  mac: Buffer;
}

export const deriveLegacyV1Keys = (secret: string): LegacyV1Keys => ({
  enc: Buffer.from(hkdfSync('sha256', secret, 'mailgate-token', 'enc', 32)),
  mac: Buffer.from(hkdfSync('sha256', secret, 'mailgate-token', 'mac', 32)),
});

export type Opened = { ok: true; plaintext: Buffer } | { ok: false; reason: 'malformed' | 'bad_signature' };

/** Opens a decoded v1 token (`raw[0]` is already known to be LEGACY_V1) with any of the keys. */
export function openLegacyV1(raw: Buffer, keys: readonly LegacyV1Keys[]): Opened {
  if (raw.length < 1 + IV_BYTES + 1 + MAC_BYTES || raw[0] !== LEGACY_V1) return { ok: false, reason: 'malformed' };
  const body = raw.subarray(0, raw.length - MAC_BYTES);
  const mac = raw.subarray(raw.length - MAC_BYTES);
  const key = keys.find((k) => timingSafeEqual(createHmac('sha256', k.mac).update(body).digest().subarray(0, MAC_BYTES), mac));
  if (!key) return { ok: false, reason: 'bad_signature' };
  const decipher = createDecipheriv('aes-256-ctr', key.enc, body.subarray(1, 1 + IV_BYTES));
  return { ok: true, plaintext: Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]) };
}
