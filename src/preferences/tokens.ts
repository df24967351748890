import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { deriveLegacyV1Keys, LEGACY_V1, openLegacyV1, type LegacyV1Keys, type Opened } from './legacy-token-v1.ts';

/**
 * Opaque, URL-safe tokens for links in emails, sealed with AES-256-GCM (an AEAD: the tag both hides
 * the address and proves we issued the token, so nothing is composed by hand).
 * Several secrets may be configured: the first seals, all open (rotation). Each secret's key is
 * derived with HKDF-SHA256 so the configured strings are never used as keys directly.
 * Layout: base64url( version(1) = 0x02 | iv(12) | ciphertext | tag(16) ); the version byte is
 * also the additional authenticated data. Version 1 (AES-CTR + HMAC) is still opened, verify-only,
 * until the last v1 link has expired: see legacy-token-v1.ts.
 *
 * IVs are 12 random bytes per token. Random 96-bit GCM nonces stay safe far beyond any mail
 * volume here (NIST SP 800-38D caps one key at 2^32 random-nonce messages); rotate the secret long
 * before that.
 */
const VERSION = 2;
const HEADER = Buffer.from([VERSION]);
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = 'mailgate-token';
const HKDF_INFO = 'mailgate link token v2';
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

export type VerifyResult = { ok: true; payload: TokenPayload } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_kind' };

const deriveKey = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));

function sealV2(key: Buffer, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(HEADER);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([HEADER, iv, ciphertext, cipher.getAuthTag()]);
}

function openV2(raw: Buffer, keys: readonly Buffer[]): Opened {
  if (raw.length < 1 + IV_BYTES + 1 + TAG_BYTES) return { ok: false, reason: 'malformed' };
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const ciphertext = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  for (const key of keys) {
    // authTagLength pins the tag at 16 bytes: setAuthTag would otherwise accept a shorter one.
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(raw.subarray(0, 1));
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(ciphertext);
    try {
      decipher.final(); // throws unless the tag authenticates header, IV and ciphertext under this key
    } catch {
      continue;
    }
    return { ok: true, plaintext };
  }
  return { ok: false, reason: 'bad_signature' };
}

export class TokenService {
  private readonly keys: Buffer[];
  private readonly legacyKeys: LegacyV1Keys[];

  constructor(secrets: string[], private readonly now: () => number = Date.now) {
    if (secrets.length === 0) throw new Error('TokenService needs at least one secret');
    this.keys = secrets.map(deriveKey);
    this.legacyKeys = secrets.map(deriveLegacyV1Keys);
  }

  sign(payload: Unsigned<TokenPayload>, ttlSeconds = payload.k === 'c' ? CONFIRM_TOKEN_TTL_S : LINK_TOKEN_TTL_S): string {
    const full = { ...payload, e: Math.floor(this.now() / 1000) + ttlSeconds };
    return sealV2(this.keys[0]!, JSON.stringify(full)).toString('base64url');
  }

  verify(token: unknown, kind?: TokenKind): VerifyResult {
    if (typeof token !== 'string' || token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
    const raw = Buffer.from(token, 'base64url');
    // Only the canonical encoding is accepted: otherwise the unused low bits of the last character
    // could be flipped and the altered string would still verify.
    if (raw.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
    const opened = raw[0] === VERSION ? openV2(raw, this.keys) : raw[0] === LEGACY_V1 ? openLegacyV1(raw, this.legacyKeys) : undefined;
    if (!opened) return { ok: false, reason: 'malformed' };
    if (!opened.ok) return opened;
    let json: unknown;
    try {
      json = JSON.parse(opened.plaintext.toString('utf8'));
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
