// The relay's pace (docs/rules.md §12): a throttling reply slows the whole stream and a full window
// holds it, without spending any message's attempt. A message never fails for pacing: it waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { StreamPace, StreamPaused, THROTTLE_BASE_MS, THROTTLE_MAX_MS } from '../../src/delivery/index.ts';
import { deleteQueueKeys, startTestApp } from '../helpers/app.ts';
import { testConfig, uniqueName } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
const sinks: SmtpSink[] = [];
const apps: TestApp[] = [];

async function start(label: string, env: Record<string, string> = {}): Promise<{ app: TestApp; sink: SmtpSink }> {
  const sink = await startSmtpSink();
  sinks.push(sink);
  const app = await startTestApp(testConfig(label, { SMTP_URL: sink.url, WORKER_CONCURRENCY: '10', ...env }));
  apps.push(app);
  return { app, sink };
}

const welcomes = async (app: TestApp, label: string, n: number) => {
  const data = app.templates.renderer.get('welcome')!.sampleData;
  const { results } = await app.messages.enqueueBatch(Array.from({ length: n }, (_, i) => ({ kind: 'transactional', to: `${label}-${i}@example.com`, template: 'welcome', data })));
  return results.map((r) => (r as { id: string }).id);
};

/** A counter's value from the app's own registry (0 when it has no sample for these labels). */
async function counter(app: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const metric = app.ctx.metrics.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

afterAll(async () => {
  for (const app of apps) await app.stop();
  await Promise.all(sinks.map((s) => s.close()));
});

describe('a relay that throttles', () => {
  let app: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => ({ app, sink } = await start('throttle')));

  it('delivers everything when the relay answers every 5th message "454 Throttling failure", spending no attempt on it', async () => {
    sink.answerData((offered) => (offered % 5 === 0 ? '454 Throttling failure: Maximum sending rate exceeded.' : undefined));
    const ids = await welcomes(app, 'throttled', 12);
    await sink.waitFor(12, 60_000);
    const views = await eventually(async () => {
      const all = await Promise.all(ids.map((id) => app.messages.getStatus(id)));
      return all.every((v) => v.status !== 'queued') && all;
    }, 20_000, 100);

    expect(views.map((v) => v.status)).toEqual(Array(12).fill('sent'));
    // Refused sends were sent again, yet every message took one attempt: throttling spent none.
    const throttled = await counter(app, 'mailgate_stream_throttled_total', { stream: 'transactional' });
    expect(throttled).toBeGreaterThan(0);
    expect(views.map((v) => v.attempts)).toEqual(Array(12).fill(1));
    expect(new Set(sink.messages.map((m) => m.to[0])).size).toBe(12);
    expect(sink.count).toBe(12);
    expect(await app.messages.queues.get('transactional')!.getJobCounts('failed')).toEqual({ failed: 0 });
  });
});

describe('a 24-hour quota', () => {
  let app: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => ({ app, sink } = await start('quota', { STREAM_TRANSACTIONAL_RATE_PER_DAY: '3' })));

  it('holds what is over the quota until the window frees: waiting, never failed, no attempt spent, then sent', async () => {
    const ids = await welcomes(app, 'quota', 5);
    await sink.waitFor(3, 20_000);
    // The two over the quota are held back (counted), not sent.
    await eventually(async () => (await counter(app, 'mailgate_stream_paced_total', { stream: 'transactional', window: 'day' })) > 0, 20_000, 50);
    const queue = app.messages.queues.get('transactional')!;
    const pace = new StreamPace({ redis: app.ctx.redis, prefix: app.ctx.config.queuePrefix, stream: 'transactional', rate: { perSecond: 0, perMinute: 0, perDay: 3 } });
    const nextUtcMidnight = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000;
    expect(await pace.status()).toEqual({ throttled: undefined, windows: [{ window: 'day', used: 3, max: 3, freesAt: new Date(nextUtcMidnight) }] });

    // (the third outcome may be written a moment after the sink accepted it)
    const views = await eventually(async () => {
      const all = await Promise.all(ids.map((id) => app.messages.getStatus(id)));
      return all.filter((v) => v.status === 'sent').length === 3 && all;
    }, 20_000, 50);
    const held = views.filter((v) => v.status === 'queued');
    expect(held).toHaveLength(2);
    for (const { id, attempts } of held) {
      const job = (await queue.getJob(id))!;
      expect(['waiting', 'active']).toContain(await job.getState());
      expect(job.attemptsMade).toBe(0);
      expect(attempts).toBe(0);
    }
    expect(await queue.getJobCounts('failed', 'delayed')).toEqual({ failed: 0, delayed: 0 });
    expect(sink.count).toBe(3);

    // Midnight, as Redis sees it: the day's counter is gone (the next day's key starts at 0).
    await app.ctx.redis.del(pace.windowKey('day').key);
    await sink.waitFor(5, 30_000);
    const after = await eventually(async () => {
      const all = await Promise.all(held.map((v) => app.messages.getStatus(v.id)));
      return all.every((v) => v.status === 'sent') && all;
    }, 20_000, 100);
    expect(after.map((v) => v.attempts)).toEqual([1, 1]);
  });
});

describe('the back-off after throttling replies (StreamPace against Redis, on a clock of the test’s)', () => {
  it('counts a send in every counted window, and takes the count back when the relay refused it for pace', async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl);
    const prefix = uniqueName('giveback');
    // A fixed clock: the windows cannot turn between the count and the reading.
    const pace = new StreamPace({ redis, prefix, stream: 'marketing', rate: { perSecond: 10, perMinute: 100, perDay: 1000 }, now: () => 1_700_000_000_000 });
    try {
      const counted = await pace.acquire();
      expect(counted).toEqual([pace.windowKey('minute').key, pace.windowKey('day').key]);
      expect((await pace.status()).windows.map((w) => [w.window, w.used, w.max])).toEqual([['minute', 1, 100], ['day', 1, 1000]]);
      await pace.giveBack(counted);
      expect((await pace.status()).windows.map((w) => w.used)).toEqual([0, 0]);
    } finally {
      redis.disconnect();
      await deleteQueueKeys(redisUrl, prefix);
    }
  });

  it('doubles while throttling goes on, joins replies during a back-off, caps, and eases back after', async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl);
    const prefix = uniqueName('backoff');
    let now = 1_000_000;
    const pace = new StreamPace({ redis, prefix, stream: 'marketing', rate: { perSecond: 0, perMinute: 0, perDay: 0 }, now: () => now });
    try {
      const first = await pace.throttled(new Error('454 Throttling failure'));
      expect(first).toBeInstanceOf(StreamPaused);
      expect(first.detail).toEqual({ backoffMs: THROTTLE_BASE_MS, started: true });
      expect(first.until.getTime()).toBe(now + THROTTLE_BASE_MS);
      // While it lasts: no send goes out, and a reply to a send that started before it joins it.
      await expect(pace.acquire()).rejects.toMatchObject({ reason: 'throttled', until: first.until });
      now += 400;
      expect((await pace.throttled(new Error('454'))).detail).toEqual({ backoffMs: THROTTLE_BASE_MS, started: false });
      // After it, sending goes on; throttled again soon after: twice as long, and so on up to the cap.
      now = first.until.getTime() + 10;
      await pace.acquire();
      const backoffs = [];
      for (let i = 0; i < 8; i++) {
        const paused = await pace.throttled(new Error('454'));
        backoffs.push(paused.detail.backoffMs);
        now = paused.until.getTime() + 10;
      }
      expect(backoffs).toEqual([2000, 4000, 8000, 16_000, 32_000, THROTTLE_MAX_MS, THROTTLE_MAX_MS, THROTTLE_MAX_MS]);
      expect((await pace.status()).throttled).toBeUndefined();
      // Quiet for twice the back-off: the state expires in Redis and the next one starts small again.
      await redis.pexpire(`${prefix}:pace:marketing:throttle`, 1);
      await eventually(async () => (await redis.exists(`${prefix}:pace:marketing:throttle`)) === 0, 5000, 10);
      expect((await pace.throttled(new Error('454'))).detail.backoffMs).toBe(THROTTLE_BASE_MS);
      expect(await redis.pttl(`${prefix}:pace:marketing:throttle`)).toBeLessThanOrEqual(3 * THROTTLE_BASE_MS);
    } finally {
      redis.disconnect();
      await deleteQueueKeys(redisUrl, prefix);
    }
  });
});
