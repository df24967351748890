import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Opaque, URL-safe tokens for links in emails. Encrypt-then-MAC: AES-256-CTR hides the address,
 * HMAC-SHA256 (truncated to 128 bits, compared in constant time) proves we issued it.
 * Several secrets may be configured: the first signs, all verify (rotation).
 * Layout: base64url( version(1) | iv(16) | ciphertext | mac(16) ).
 */
const VERSION = 1;
const IV_BYTES = 16;
const MAC_BYTES = 16;
const YEAR_S = 366 * 24 * 3600;
export const LINK_TOKEN_TTL_S = 2 * YEAR_S;
export const CONFIRM_TOKEN_TTL_S = 48 * 3600;

const payloadSchema = z.discriminatedUnion('k', [
  // preferences page (footer link)
  z.object({ k: z.literal('p'), a: z.string(), m: z.string().optional(), l: z.string().optional(), e: z.number() }),
  // one-click unsubscribe from one type
  z.object({ k: z.literal('u'), a: z.string(), m: z.string().optional(), t: z.string(), l: z.string().optional(), e: z.number() }),
  // re-subscribe confirmation: types chosen on the form, a nonce that makes it single-use
  z.object({ k: z.literal('c'), a: z.string(), ts: z.array(z.string()), n: z.string(), l: z.string().optional(), e: z.number() }),
]);
export type TokenPayload = z.infer<typeof payloadSchema>;
export type TokenKind = TokenPayload['k'];
type Unsigned<T> = T extends unknown ? Omit<T, 'e'> : never;

interface Keys {
  enc: Buffer;
  mac: Buffer;
}
const derive = (secret: string): Keys => ({
  enc: Buffer.from(hkdfSync('sha256', secret, 'mailgate-token', 'enc', 32)),
  mac: Buffer.from(hkdfSync('sha256', secret, 'mailgate-token', 'mac', 32)),
});

/**
 * IVs come from a pooled random buffer: one randomBytes call per 256 tokens instead of one per
 * token (a synchronous randomBytes call costs about as much as the rest of signing).
 */
const IV_POOL_BYTES = IV_BYTES * 256;
let ivPool = Buffer.alloc(0);
let ivOffset = IV_POOL_BYTES;
function nextIv(): Buffer {
  if (ivOffset >= IV_POOL_BYTES) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export type VerifyResult = { ok: true; payload: TokenPayload } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_kind' };

export class TokenService {
  private readonly keys: Keys[];

  constructor(secrets: string[], private readonly now: () => number = Date.now) {
    if (secrets.length === 0) throw new Error('TokenService needs at least one secret');
    this.keys = secrets.map(derive);
  }

  sign(payload: Unsigned<TokenPayload>, ttlSeconds = payload.k === 'c' ? CONFIRM_TOKEN_TTL_S : LINK_TOKEN_TTL_S): string {
    const full = { ...payload, e: Math.floor(this.now() / 1000) + ttlSeconds };
    const keys = this.keys[0]!;
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-ctr', keys.enc, iv);
    const body = Buffer.concat([Buffer.from([VERSION]), iv, cipher.update(JSON.stringify(full), 'utf8'), cipher.final()]);
    const mac = createHmac('sha256', keys.mac).update(body).digest().subarray(0, MAC_BYTES);
    return Buffer.concat([body, mac]).toString('base64url');
  }

  verify(token: unknown, kind?: TokenKind): VerifyResult {
    if (typeof token !== 'string' || token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
    const raw = Buffer.from(token, 'base64url');
    // Only the canonical encoding is accepted: otherwise the unused low bits of the last character
    // could be flipped and the altered string would still verify.
    if (raw.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
    if (raw.length < 1 + IV_BYTES + 1 + MAC_BYTES || raw[0] !== VERSION) return { ok: false, reason: 'malformed' };
    const body = raw.subarray(0, raw.length - MAC_BYTES);
    const mac = raw.subarray(raw.length - MAC_BYTES);
    const keys = this.keys.find((k) => timingSafeEqual(createHmac('sha256', k.mac).update(body).digest().subarray(0, MAC_BYTES), mac));
    if (!keys) return { ok: false, reason: 'bad_signature' };
    const decipher = createDecipheriv('aes-256-ctr', keys.enc, body.subarray(1, 1 + IV_BYTES));
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]).toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const parsed = payloadSchema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    if (parsed.data.e * 1000 < this.now()) return { ok: false, reason: 'expired' };
    if (kind && parsed.data.k !== kind) return { ok: false, reason: 'wrong_kind' };
    return { ok: true, payload: parsed.data };
  }
}
