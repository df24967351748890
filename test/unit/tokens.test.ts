import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_S, LINK_TOKEN_TTL_S, TokenService } from '../../src/preferences/tokens.ts';

const SECRET_A = 'secret-a-0123456789abcdef';
const SECRET_B = 'secret-b-0123456789abcdef';
const SECRET_C = 'secret-c-0123456789abcdef';
const FOREIGN = 'someone-elses-secret-0123456789';

const pref = { k: 'p' as const, a: 'ann@example.com', m: 'msg_1', l: 'de' };
const unsub = { k: 'u' as const, a: 'ann@example.com', m: 'msg_1', t: 'newsletter' };
const confirm = { k: 'c' as const, a: 'ann@example.com', ts: ['newsletter', 'events'], n: 'nonce-1', l: 'en' };

/**
 * Real version-1 tokens (AES-256-CTR + HMAC), minted by the pre-GCM TokenService with the secrets
 * below at LEGACY.now (2025-01-01T00:00:00Z). They prove that links already in inboxes keep
 * opening; keep them until the legacy decoder is deleted (see src/preferences/legacy-token-v1.ts).
 */
const LEGACY = {
  now: 1735689600000,
  tokens: {
    // SECRET_A, { k: 'p', a: 'ann@example.com', m: 'msg_1', l: 'de' }
    p: 'Ab8_F_bhIX4r8SGx24Z9lBY8gb0xEgLfjDhI_imp8PhYEt7opxkeLQ9w_Dw8iK7kh2AIUP9GUL0yE_sFvO82BwlXOCG2ZhIcwJZdBf-Gm8cjMx4AvraFQVATk40QZiSpZR12EQ',
    // SECRET_A, { k: 'u', a: 'ann@example.com', m: 'msg_1', t: 'newsletter' }
    u: 'AQnwQbOOsOWV5Mcjm-5UAAaa325C9Y2AymAkX0Mrk1QX3_UY7udqp1DXIVSVIDHEfeChCQqVlzpQVqXqupQ5fQkwVvScY6Zk_Zdo21AhJSrw7GEjf0wfIr0zcvHMlc4phdbankrXdEXc643f',
    // SECRET_A, { k: 'c', a: 'ann@example.com', ts: ['newsletter', 'events'], n: 'nonce-1', l: 'en' }
    c: 'AaBtnmuD6RlViMzCe40Oy6pT8UeVuE9vlZX65DkszGjGBT733Dzapmi04IcpC_ezVWDEGw1MkDYjZXfIlf-8MgXITRi3roEwidtAkwnq8mbxdbNmPI6pyLJvX5thETKd9fsr4TyCFazXEL3k5keptplpfVLjyrGPdLm8kcSAKQxlsbo',
    // SECRET_B, { k: 'u', a: 'bob@example.org', t: 'events', l: 'fr' }
    uB: 'AXa3lPkJvTEEBUWVpOQ2bSPrhgtYrAiGhaBl_9KZryn13_7OM180S3lJVUSwIf7Ay-HY1olBZhwe_KiRyy-9PABqReVygT5CuAhh7EeEx-ZihHNZdmZGXqTt54Jpo2M9NeRfEZ4',
  },
  linkExpiry: 1798934400, // LEGACY.now + LINK_TOKEN_TTL_S
  confirmExpiry: 1735862400, // LEGACY.now + CONFIRM_TOKEN_TTL_S
} as const;
const legacyAt = (now: number, secrets = [SECRET_A]) => new TokenService(secrets, () => now);

/** Flips one bit of byte `i` of the decoded token and re-encodes it. */
function flipByte(token: string, i: number): string {
  const raw = Buffer.from(token, 'base64url');
  raw[i] = raw[i]! ^ 0x01;
  return raw.toString('base64url');
}

describe('TokenService', () => {
  const tokens = new TokenService([SECRET_A]);

  it.each([pref, unsub, confirm])('round-trips a $k token', (payload) => {
    const result = tokens.verify(tokens.sign(payload), payload.k);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.payload).toMatchObject(payload);
  });

  it('is opaque: the address does not appear in the token, and two tokens for one payload differ', () => {
    const a = tokens.sign(pref);
    const b = tokens.sign(pref);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const t of [a, b]) {
      expect(t).not.toContain('ann');
      expect(Buffer.from(t, 'base64url').toString('latin1')).not.toContain('example.com');
    }
  });

  it('refuses a token with any single byte altered', () => {
    const token = tokens.sign(unsub);
    const length = Buffer.from(token, 'base64url').length;
    for (let i = 0; i < length; i++) {
      const result = tokens.verify(flipByte(token, i));
      expect(result.ok, `byte ${i}`).toBe(false);
    }
  });

  it('refuses a token with any single character altered (no non-canonical encodings)', () => {
    const token = tokens.sign(pref);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i++) {
      // two different replacements per position, including ones that differ only in low bits
      for (const offset of [1, 32]) {
        const replacement = alphabet[(alphabet.indexOf(token[i]!) + offset) % 64]!;
        const altered = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(tokens.verify(altered).ok, `char ${i} +${offset}`).toBe(false);
      }
    }
  });

  it('refuses truncated and extended tokens', () => {
    const token = tokens.sign(pref);
    for (const cut of [1, 2, 5, 16, 22, token.length - 10]) {
      expect(tokens.verify(token.slice(0, token.length - cut)).ok, `cut ${cut}`).toBe(false);
    }
    expect(tokens.verify(token.slice(1)).ok).toBe(false);
    expect(tokens.verify(`${token}A`).ok).toBe(false);
  });

  it('refuses garbage', () => {
    for (const junk of ['', 'abc', 'not a token!', 'A'.repeat(3000), undefined, 42, null, { k: 'p' }]) {
      const result = tokens.verify(junk);
      expect(result.ok).toBe(false);
    }
  });

  it('refuses a token signed with a foreign secret', () => {
    const foreign = new TokenService([SECRET_B]).sign(pref);
    expect(tokens.verify(foreign)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rotation: the first secret signs, every configured secret verifies', () => {
    const old = new TokenService([SECRET_A]);
    const rotated = new TokenService([SECRET_B, SECRET_A]);
    const oldToken = old.sign(pref);
    expect(rotated.verify(oldToken, 'p').ok).toBe(true);
    const newToken = rotated.sign(pref);
    expect(new TokenService([SECRET_B]).verify(newToken, 'p').ok).toBe(true);
    // signed with the new first secret, so the old-only service cannot verify it
    expect(old.verify(newToken).ok).toBe(false);
  });

  it('refuses an expired token; a confirmation token lives 48 hours', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const clock = new TokenService([SECRET_A], () => now);
    const token = clock.sign(confirm);
    now += (CONFIRM_TOKEN_TTL_S - 60) * 1000;
    expect(clock.verify(token, 'c').ok).toBe(true);
    now += 120 * 1000;
    expect(clock.verify(token, 'c')).toEqual({ ok: false, reason: 'expired' });
  });

  it('footer links stay valid for at least a year', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const clock = new TokenService([SECRET_A], () => now);
    const token = clock.sign(pref);
    now += 366 * 24 * 3600 * 1000;
    expect(clock.verify(token, 'p').ok).toBe(true);
  });

  it('refuses a token of the wrong kind', () => {
    expect(tokens.verify(tokens.sign(pref), 'u')).toEqual({ ok: false, reason: 'wrong_kind' });
    expect(tokens.verify(tokens.sign(unsub), 'c')).toEqual({ ok: false, reason: 'wrong_kind' });
    expect(tokens.verify(tokens.sign(confirm), 'p')).toEqual({ ok: false, reason: 'wrong_kind' });
  });

  describe('format v2 (AES-256-GCM)', () => {
    it('new tokens are version 2: 1 version byte, 12-byte IV, ciphertext as long as the JSON, 16-byte tag', () => {
      const now = Date.parse('2025-01-01T00:00:00Z');
      const clock = new TokenService([SECRET_A], () => now);
      for (const payload of [pref, unsub, confirm]) {
        const raw = Buffer.from(clock.sign(payload), 'base64url');
        const e = Math.floor(now / 1000) + (payload.k === 'c' ? CONFIRM_TOKEN_TTL_S : LINK_TOKEN_TTL_S);
        expect(raw[0]).toBe(2);
        expect(raw.length).toBe(1 + 12 + Buffer.byteLength(JSON.stringify({ ...payload, e })) + 16);
      }
    });

    it.each([pref, unsub, confirm])('refuses a $k token with any single byte flipped, as malformed or bad_signature', (payload) => {
      const token = tokens.sign(payload);
      const raw = Buffer.from(token, 'base64url');
      for (let i = 0; i < raw.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const altered = Buffer.from(raw);
          altered[i] = altered[i]! ^ bit;
          const result = tokens.verify(altered.toString('base64url'), payload.k);
          expect(result.ok, `byte ${i} ^ ${bit}`).toBe(false);
          if (!result.ok) expect(['malformed', 'bad_signature'], `byte ${i} ^ ${bit}`).toContain(result.reason);
        }
      }
    });

    it('refuses a token cut short or padded at the byte level (no shortened tag is accepted)', () => {
      const raw = Buffer.from(tokens.sign(unsub), 'base64url');
      for (let cut = 1; cut <= raw.length; cut++) {
        expect(tokens.verify(raw.subarray(0, raw.length - cut).toString('base64url')).ok, `cut ${cut}`).toBe(false);
      }
      expect(tokens.verify(Buffer.concat([raw, Buffer.from([0])]).toString('base64url')).ok).toBe(false);
    });

    it('a secret rotated out of first place but still listed keeps opening its tokens; once unlisted, they are refused', () => {
      const sealedWithA = new TokenService([SECRET_A]).sign(unsub);
      for (const secrets of [[SECRET_B, SECRET_A], [SECRET_C, SECRET_B, SECRET_A], [SECRET_B, SECRET_A, SECRET_C]]) {
        const result = new TokenService(secrets).verify(sealedWithA, 'u');
        expect(result.ok, secrets.join(',')).toBe(true);
        if (result.ok) expect(result.payload).toMatchObject(unsub);
      }
      expect(new TokenService([SECRET_B, SECRET_C]).verify(sealedWithA, 'u')).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it.each([pref, unsub, confirm])("refuses a $k token from another deployment's secret, whatever our rotation list", (payload) => {
      const foreign = new TokenService([FOREIGN]).sign(payload);
      for (const secrets of [[SECRET_A], [SECRET_A, SECRET_B], [SECRET_B, SECRET_A, SECRET_C]]) {
        expect(new TokenService(secrets).verify(foreign, payload.k), secrets.join(',')).toEqual({ ok: false, reason: 'bad_signature' });
      }
    });

    it('refuses a token whose version byte is rewritten (v2 read as v1, v1 read as v2, unknown versions)', () => {
      const raw = Buffer.from(tokens.sign(pref), 'base64url');
      const withVersion = (bytes: Buffer, v: number) => Buffer.concat([Buffer.from([v]), bytes.subarray(1)]).toString('base64url');
      expect(tokens.verify(withVersion(raw, 1))).toEqual({ ok: false, reason: 'bad_signature' });
      for (const v of [0, 3, 0x82, 0xff]) expect(tokens.verify(withVersion(raw, v)), `version ${v}`).toEqual({ ok: false, reason: 'malformed' });
      const legacy = Buffer.from(LEGACY.tokens.p, 'base64url');
      expect(new TokenService([SECRET_A], () => LEGACY.now).verify(withVersion(legacy, 2))).toEqual({ ok: false, reason: 'bad_signature' });
    });
  });

  describe('legacy format v1 (verify-only)', () => {
    it('real v1 tokens still open, with exactly the payload they were minted with', () => {
      const service = legacyAt(LEGACY.now + 3600 * 1000);
      expect(service.verify(LEGACY.tokens.p, 'p')).toEqual({ ok: true, payload: { ...pref, e: LEGACY.linkExpiry } });
      expect(service.verify(LEGACY.tokens.u, 'u')).toEqual({ ok: true, payload: { ...unsub, e: LEGACY.linkExpiry } });
      expect(service.verify(LEGACY.tokens.c, 'c')).toEqual({ ok: true, payload: { ...confirm, e: LEGACY.confirmExpiry } });
    });

    it('v1 links keep their lifetime: open for the whole TTL, expired after it', () => {
      expect(legacyAt(LEGACY.linkExpiry * 1000 - 1000).verify(LEGACY.tokens.u, 'u').ok).toBe(true);
      expect(legacyAt(LEGACY.linkExpiry * 1000 + 1000).verify(LEGACY.tokens.u, 'u')).toEqual({ ok: false, reason: 'expired' });
      expect(legacyAt(LEGACY.confirmExpiry * 1000 + 1000).verify(LEGACY.tokens.c, 'c')).toEqual({ ok: false, reason: 'expired' });
    });

    it('v1 tokens open through the rotation list, with their secret in any position', () => {
      const now = LEGACY.now + 30 * 24 * 3600 * 1000;
      for (const secrets of [[SECRET_A, SECRET_B], [SECRET_B, SECRET_A], [SECRET_C, SECRET_B, SECRET_A]]) {
        expect(legacyAt(now, secrets).verify(LEGACY.tokens.p, 'p').ok, `p ${secrets.join(',')}`).toBe(true);
        expect(legacyAt(now, secrets).verify(LEGACY.tokens.uB, 'u')).toEqual({
          ok: true,
          payload: { k: 'u', a: 'bob@example.org', t: 'events', l: 'fr', e: LEGACY.linkExpiry },
        });
      }
      expect(legacyAt(now, [SECRET_A, SECRET_C]).verify(LEGACY.tokens.uB)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('v1 tokens keep the purpose check', () => {
      expect(legacyAt(LEGACY.now).verify(LEGACY.tokens.p, 'u')).toEqual({ ok: false, reason: 'wrong_kind' });
      expect(legacyAt(LEGACY.now).verify(LEGACY.tokens.u, 'c')).toEqual({ ok: false, reason: 'wrong_kind' });
    });

    it("refuses v1 tokens under another deployment's secret", () => {
      for (const token of Object.values(LEGACY.tokens)) expect(legacyAt(LEGACY.now, [FOREIGN]).verify(token)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('refuses a v1 token with any single byte flipped, or cut short', () => {
      const service = legacyAt(LEGACY.now);
      const length = Buffer.from(LEGACY.tokens.u, 'base64url').length;
      for (let i = 0; i < length; i++) expect(service.verify(flipByte(LEGACY.tokens.u, i)).ok, `byte ${i}`).toBe(false);
      const raw = Buffer.from(LEGACY.tokens.u, 'base64url');
      for (let cut = 1; cut <= raw.length; cut++) expect(service.verify(raw.subarray(0, raw.length - cut).toString('base64url')).ok, `cut ${cut}`).toBe(false);
    });

    it('is verify-only: new tokens are never minted in v1', () => {
      for (const payload of [pref, unsub, confirm]) expect(Buffer.from(tokens.sign(payload), 'base64url')[0]).toBe(2);
    });
  });
});
