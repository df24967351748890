import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_S, TokenService } from '../../src/preferences/tokens.ts';

const SECRET_A = 'secret-a-0123456789abcdef';
const SECRET_B = 'secret-b-0123456789abcdef';

const pref = { k: 'p' as const, a: 'ann@example.com', m: 'msg_1', l: 'de' };
const unsub = { k: 'u' as const, a: 'ann@example.com', m: 'msg_1', t: 'newsletter' };
const confirm = { k: 'c' as const, a: 'ann@example.com', ts: ['newsletter', 'events'], n: 'nonce-1', l: 'en' };

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
});
