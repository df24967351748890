import { createHmac, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisReplayGuard, checkMailgunSignature, verifyMailgun } from '../../src/feedback/verify/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIGNING_KEY = 'key-0123456789abcdef0123456789abcdef';
const now = new Date('2026-03-01T12:00:00Z');
const nowSeconds = String(Math.floor(now.getTime() / 1000));

/** What Mailgun puts in the body's `signature` object. */
function mailgunSignature(timestamp = nowSeconds, key = SIGNING_KEY): { timestamp: string; token: string; signature: string } {
  const token = randomUUID().replaceAll('-', '') + randomUUID().slice(0, 18); // 50 characters, like Mailgun's
  return { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') };
}

describe('checkMailgunSignature', () => {
  it('accepts hex HMAC-SHA256(timestamp + token), in either letter case', () => {
    const signed = mailgunSignature();
    expect(checkMailgunSignature({ signingKey: SIGNING_KEY, ...signed, now })).toEqual({ ok: true });
    expect(checkMailgunSignature({ signingKey: SIGNING_KEY, ...signed, signature: signed.signature.toUpperCase(), now })).toEqual({ ok: true });
  });

  it.each([
    ['signed with another key', () => mailgunSignature(nowSeconds, 'key-someone-else')],
    ['with the token changed', () => ({ ...mailgunSignature(), token: 'x'.repeat(50) })],
    ['with the timestamp changed', () => ({ ...mailgunSignature(), timestamp: String(Number(nowSeconds) - 1) })],
    ['with a truncated signature', () => { const s = mailgunSignature(); return { ...s, signature: s.signature.slice(0, 62) }; }],
    ['with non-hex characters', () => { const s = mailgunSignature(); return { ...s, signature: `${s.signature.slice(0, 62)}zz` }; }],
  ])('refuses a signature %s', (_label, make) => {
    expect(checkMailgunSignature({ signingKey: SIGNING_KEY, ...make(), now })).toMatchObject({ ok: false, status: 403, code: 'mailgun_signature_invalid' });
  });

  it.each([
    ['six minutes old', -6 * 60, undefined],
    ['ten minutes in the future', 10 * 60, undefined],
    ['two minutes old with a one-minute window', -2 * 60, 60_000],
  ])('refuses a correctly signed timestamp %s', (_label, offsetSeconds, maxAgeMs) => {
    const signed = mailgunSignature(String(Number(nowSeconds) + offsetSeconds));
    expect(checkMailgunSignature({ signingKey: SIGNING_KEY, ...signed, now, maxAgeMs })).toMatchObject({ ok: false, status: 403, code: 'mailgun_timestamp_stale' });
  });

  it.each(['timestamp', 'token', 'signature'] as const)('answers 401 when %s is missing', (field) => {
    const input = { signingKey: SIGNING_KEY, ...mailgunSignature(), now, [field]: undefined };
    expect(checkMailgunSignature(input)).toMatchObject({ ok: false, status: 401, code: 'mailgun_signature_missing' });
  });
});

describe('RedisReplayGuard and verifyMailgun against real Redis', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let prefix: string;
  let guard: RedisReplayGuard;

  beforeEach(() => {
    prefix = `mailgate-test:mailgun-token:${randomUUID()}:`;
    guard = new RedisReplayGuard({ redis, prefix });
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('claims a token once; the second claim fails until it is released', async () => {
    expect(await guard.claim('token-a', 60_000)).toBe(true);
    expect(await guard.claim('token-a', 60_000)).toBe(false);
    expect(await guard.claim('token-b', 60_000)).toBe(true);
    await guard.release('token-a');
    expect(await guard.claim('token-a', 60_000)).toBe(true);
  });

  it('gives exactly one of many concurrent claims, and stores the token hashed with a TTL', async () => {
    const claims = await Promise.all(Array.from({ length: 10 }, () => guard.claim('token-c', 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${prefix}[0-9a-f]{64}$`));
    const ttl = await redis.pttl(keys[0] ?? '');
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('verifyMailgun accepts a signed request once and refuses its replay', async () => {
    const signed = mailgunSignature();
    expect(await verifyMailgun({ signingKey: SIGNING_KEY, ...signed, now, replayGuard: guard })).toEqual({ ok: true });
    expect(await verifyMailgun({ signingKey: SIGNING_KEY, ...signed, now, replayGuard: guard }))
      .toMatchObject({ ok: false, status: 403, code: 'mailgun_token_reused' });
  });

  it('verifyMailgun does not let a forged or stale request burn a real token', async () => {
    const real = mailgunSignature();
    const forged = await verifyMailgun({ signingKey: SIGNING_KEY, ...real, signature: 'f'.repeat(64), now, replayGuard: guard });
    expect(forged).toMatchObject({ ok: false, code: 'mailgun_signature_invalid' });
    const stale = await verifyMailgun({ signingKey: SIGNING_KEY, ...real, now: new Date(now.getTime() + 60 * 60_000), replayGuard: guard });
    expect(stale).toMatchObject({ ok: false, code: 'mailgun_timestamp_stale' });
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    expect(await verifyMailgun({ signingKey: SIGNING_KEY, ...real, now, replayGuard: guard })).toEqual({ ok: true });
  });
});
