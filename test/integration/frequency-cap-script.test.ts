// The frequency cap's Redis script on its own (delivery/frequency-cap.ts, docs/rules.md §13), against
// real Redis: what a retried job, a bypass over a full cap, a given-back slot and a passing window do.
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrequencyCapConfig } from '../../src/config.ts';
import { FrequencyCap, createFrequencyCapMetric, type CappedMessage } from '../../src/delivery/index.ts';
import { deleteQueueKeys } from '../helpers/app.ts';
import { TEST_SECRET, uniqueName } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DAY = 86_400_000;
const prefix = uniqueName('fcapscript');
let redis: Redis;
const registry = new Registry();
const capped = createFrequencyCapMetric(registry);

const capOf = (caps: Partial<FrequencyCapConfig>) =>
  new FrequencyCap({ redis, prefix, secret: TEST_SECRET, caps: { overall: undefined, types: new Map(), action: 'suppress', ...caps }, stream: 'marketing', capped });

let seq = 0;
const mailbox = () => `box-${Date.now().toString(36)}-${seq++}@example.com`;
let ids = 0;
const message = (to: string, extra: Partial<CappedMessage> = {}): CappedMessage => ({ _id: `m${String(ids++).padStart(23, '0')}`, kind: 'marketing', to, subscriptionType: 'newsletter', ...extra });

/** The cap's sorted sets (there is one per cap for the mailbox), as [member, score] pairs. */
async function entries(): Promise<Map<string, [string, number][]>> {
  const out = new Map<string, [string, number][]>();
  for (const key of await redis.keys(`${prefix}:fcap:*`)) {
    const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
    const pairs: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
    out.set(key, pairs);
  }
  return out;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await deleteQueueKeys(REDIS_URL, prefix);
});

describe('the frequency cap script', () => {
  it('applies only to marketing covered by a cap', () => {
    const cap = capOf({ types: new Map([['newsletter', { limit: 1, windowMs: DAY }]]) });
    expect(cap.applies({ kind: 'marketing', subscriptionType: 'newsletter' })).toBe(true);
    expect(cap.applies({ kind: 'marketing', subscriptionType: 'events' })).toBe(false);
    expect(cap.applies({ kind: 'transactional', subscriptionType: undefined })).toBe(false);
    const overall = capOf({ overall: { limit: 1, windowMs: DAY } });
    expect(overall.applies({ kind: 'marketing', subscriptionType: 'events' })).toBe(true);
    expect(overall.applies({ kind: 'one_to_one', subscriptionType: undefined })).toBe(false);
  });

  it('lets a retried message keep its slot instead of taking a second one', async () => {
    const cap = capOf({ overall: { limit: 2, windowMs: DAY } });
    const to = mailbox();
    const first = message(to);
    expect(await cap.take(first)).toEqual({ allowed: true, taken: 'counted' });
    expect(await cap.take(first)).toEqual({ allowed: true, taken: 'counted' });
    expect(await cap.take(first)).toEqual({ allowed: true, taken: 'counted' });
    expect(await cap.take(message(to))).toMatchObject({ allowed: true });
    // Two slots: the first message's and the second's; a third is refused.
    expect(await cap.take(message(to))).toMatchObject({ allowed: false });
  });

  it('answers when the window frees: the oldest slot plus the window, or later when bypasses overfilled it', async () => {
    const cap = capOf({ overall: { limit: 2, windowMs: DAY } });
    const to = mailbox();
    const before = new Set((await entries()).keys());
    await cap.take(message(to));
    await cap.take(message(to));
    const [key] = [...(await entries()).keys()].filter((k) => !before.has(k));
    const scores = (await entries()).get(key!)!.map(([, score]) => score);
    expect(scores).toHaveLength(2);
    const full = await cap.take(message(to));
    expect(full).toEqual({ allowed: false, freesAt: new Date(scores[0]! + DAY) });

    // Two bypasses over the full cap: four in the window, so three must leave before one may go,
    // the third of them (the first bypass) last.
    expect(await cap.take(message(to, { bypassFrequencyCap: true }))).toEqual({ allowed: true, taken: 'bypassed' });
    expect(await cap.take(message(to, { bypassFrequencyCap: true }))).toEqual({ allowed: true, taken: 'bypassed' });
    const all = (await entries()).get(key!)!.map(([, score]) => score);
    expect(all).toHaveLength(4);
    const over = await cap.take(message(to));
    expect(over).toEqual({ allowed: false, freesAt: new Date(all[2]! + DAY) });
  });

  it('checks every cap that covers the message and takes a slot in each, under one hash tag', async () => {
    const cap = capOf({ overall: { limit: 3, windowMs: DAY }, types: new Map([['newsletter', { limit: 1, windowMs: 7 * DAY }]]) });
    const to = mailbox();
    const before = new Set((await entries()).keys());
    expect(await cap.take(message(to))).toMatchObject({ allowed: true });
    const added = [...(await entries()).keys()].filter((k) => !before.has(k)).sort();
    expect(added).toHaveLength(2);
    const [overall, typed] = added;
    expect(typed).toBe(`${overall}:newsletter`);
    expect(overall).toMatch(new RegExp(`^${prefix}:fcap:\\{[0-9a-f]{32}\\}$`));
    expect(await redis.pttl(typed!)).toBeGreaterThan(6 * DAY);
    expect(await redis.pttl(overall!)).toBeLessThanOrEqual(DAY);
    // The type's cap is full; another type is not.
    expect(await cap.take(message(to))).toMatchObject({ allowed: false });
    expect(await cap.take(message(to, { subscriptionType: 'events' }))).toMatchObject({ allowed: true });
    // A refused take took nothing: the overall cap holds 2 of 3.
    expect((await entries()).get(overall!)).toHaveLength(2);
  });

  it('gives a slot back in every cap it took one in', async () => {
    const cap = capOf({ overall: { limit: 1, windowMs: DAY }, types: new Map([['newsletter', { limit: 1, windowMs: DAY }]]) });
    const to = mailbox();
    const failed = message(to);
    await cap.take(failed);
    expect(await cap.take(message(to))).toMatchObject({ allowed: false });
    await cap.giveBack(failed);
    expect(await cap.take(message(to))).toMatchObject({ allowed: true });
  });

  it('frees a slot once its window has passed', async () => {
    const cap = capOf({ overall: { limit: 1, windowMs: 1000 } });
    const to = mailbox();
    await cap.take(message(to));
    const refused = await cap.take(message(to));
    expect(refused).toMatchObject({ allowed: false });
    const next = message(to);
    const allowedAt = await eventually(async () => ((await cap.take(next)).allowed ? Date.now() : undefined), 5000, 20);
    // Not before the time it answered (a little slack for the two clocks).
    expect(allowedAt).toBeGreaterThanOrEqual((refused as { freesAt: Date }).freesAt.getTime() - 50);
  });

  it('counts refusals by stream and action', async () => {
    const value = async () => (await capped.get()).values.find((v) => v.labels.stream === 'marketing' && v.labels.action === 'suppress')?.value ?? 0;
    const before = await value();
    const cap = capOf({ overall: { limit: 1, windowMs: DAY } });
    const to = mailbox();
    await cap.take(message(to));
    expect(await value()).toBe(before);
    await cap.take(message(to));
    await cap.take(message(to));
    expect(await value()).toBe(before + 2);
  });
});
