// The reputation guard's rules beside the done-when (docs/rules.md §13): nothing is judged below the
// minimum volume, a warning is recorded once per crossing, feedback counts once however often it is
// replayed, a synchronous hard bounce counts, and the send path's gate fails closed when the guard's
// state cannot be read. Small volumes: REPUTATION_MIN_VOLUME=100.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliverabilityReports, GuardGate, GuardRepository, HeldJobs, ReputationReader, StreamGuard, StreamPauses, createReputationMetrics } from '../../src/reputation/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { dropTestDatabase, startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { mongoUrlFor, testConfig, uniqueName } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { mailgunSignature } from '../helpers/relay-signers.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const MAILGUN_KEY = 'key-mailgun-signing-reputation-4567';
const FIXTURES = resolve(import.meta.dirname, '../fixtures/feedback');

let app: Awaited<ReturnType<typeof startTestApp>>;
let sink: SmtpSink;
const { api } = apiClient(() => app);
const run = Date.now().toString(36);
const silent = createLogger('silent');

type StreamView = { name: string; paused: boolean; state: string; rates: Record<'24h' | '7d', { sends: number; hardBounces: number; softBounces: number; complaints: number; complaintRate: number; hardBounceRate: number }> };
const stream = async (name: string) => ((await api('GET', '/v1/streams')).body.streams as StreamView[]).find((s) => s.name === name)!;
const until = (name: string, ok: (s: StreamView) => boolean) => eventually(async () => ((s) => (ok(s) ? s : undefined))(await stream(name)), 10_000, 50);

async function enqueueMany(type: 'newsletter' | 'product-updates', recipients: string[]): Promise<void> {
  const template = type === 'newsletter' ? 'newsletter' : 'product-update';
  const data = app.templates.renderer.get(template)!.sampleData;
  const res = await api('POST', '/v1/messages/batch', { messages: recipients.map((to) => ({ kind: 'marketing', to, template, data, subscriptionType: type })) });
  expect(res.status).toBe(202);
  await eventually(() => recipients.every((to) => sink.to(to).length === 1), 60_000);
}

/** A signed Mailgun `complained` event about the message the sink received for `to`; `id` makes a replay. */
async function complain(to: string, id = `cmp-${run}-${to}`): Promise<void> {
  const body = JSON.parse(readFileSync(resolve(FIXTURES, 'mailgun-complained.json'), 'utf8')) as { signature: unknown; 'event-data': Record<string, unknown> };
  body.signature = mailgunSignature(MAILGUN_KEY);
  body['event-data'] = { ...body['event-data'], id, recipient: to, message: { headers: { 'message-id': sink.to(to)[0]!.header('message-id') } } };
  const res = await fetch(`${app.url}/v1/feedback/mailgun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

/** The guard as the app builds it, over the app's own Redis and database, to await one evaluation. */
function guardOf() {
  const { redis, db, config } = app.ctx;
  const repository = new GuardRepository({ db });
  const pauses = new StreamPauses({ repository, streams: config.streams.map((s) => s.name), metrics: createReputationMetrics(new Registry()), logger: silent });
  return { repository, guard: new StreamGuard({ reader: new ReputationReader({ redis, prefix: config.queuePrefix }), repository, pauses, thresholds: config.reputation, logger: silent }) };
}

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(
    testConfig('reprules', {
      SMTP_URL: sink.url,
      STREAMS: 'transactional,marketing,promo',
      STREAM_PROMO_TYPES: 'product-updates',
      FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
      REPUTATION_MIN_VOLUME: '100',
      REPUTATION_WARN_COMPLAINT_RATE: '1%',
      REPUTATION_PAUSE_COMPLAINT_RATE: '5%',
    }),
  );
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('the guard judges only past the minimum volume, and warns once per crossing', () => {
  it('below REPUTATION_MIN_VOLUME nothing is judged, whatever the rate', async () => {
    const recipients = Array.from({ length: 50 }, (_, i) => `m${i}-${run}@outlook.com`);
    await enqueueMany('newsletter', recipients);
    await Promise.all(recipients.slice(0, 5).map((to) => complain(to)));
    const figures = await until('marketing', (s) => s.rates['24h'].complaints === 5);
    expect(figures).toMatchObject({ paused: false, state: 'ok', rates: { '24h': { sends: 50, complaints: 5, complaintRate: 0.1 } } });
    const { guard, repository } = guardOf();
    expect(await guard.evaluate('marketing')).toEqual({ level: 'ok' });
    expect(await repository.history('marketing')).toHaveLength(0);
  }, 90_000);

  it('warns at the warn rate, once per crossing, without pausing', async () => {
    const recipients = Array.from({ length: 100 }, (_, i) => `p${i}-${run}@yahoo.com`);
    await enqueueMany('product-updates', recipients);
    await complain(recipients[0]!);
    expect(await until('promo', (s) => s.state === 'warn')).toMatchObject({ paused: false, rates: { '24h': { sends: 100, complaints: 1, complaintRate: 0.01 } } });
    await complain(recipients[1]!);
    await until('promo', (s) => s.rates['24h'].complaints === 2);
    const { guard, repository } = guardOf();
    expect(await guard.evaluate('promo')).toMatchObject({ level: 'warn', window: '24h' });
    const history = await repository.history('promo');
    expect(history.map((h) => h.action)).toEqual(['warned']);
    expect(history[0]).toMatchObject({ actor: 'guard', figures: { window: '24h', topTemplates: [{ template: 'product-update', subscriptionType: 'product-updates', complaints: 1 }] } });
    expect(await app.ctx.metrics.getSingleMetricAsString('mailgate_stream_guard_state')).toMatch(/mailgate_stream_guard_state\{stream="promo"\} 1/);
    // The report the console renders tells the same.
    const reports = new DeliverabilityReports({ reader: new ReputationReader({ redis: app.ctx.redis, prefix: app.ctx.config.queuePrefix }), repository, streams: ['promo'], thresholds: app.ctx.config.reputation });
    const report = await reports.report();
    expect(report.thresholds).toEqual({ minVolume: 100, warnComplaintRate: 0.01, pauseComplaintRate: 0.05, warnHardBounceRate: 0.02, pauseHardBounceRate: 0.05 });
    const promo = report.streams[0]!;
    expect(promo).toMatchObject({ name: 'promo', guard: { state: 'warn' }, windows: { '24h': { sends: 100, complaints: 2 }, '30d': { sends: 100, complaints: 2 } }, byProvider: { yahoo: { '7d': { sends: 100, complaints: 2 } } } });
    expect(promo.daily).toHaveLength(30);
    expect(promo.daily.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), counts: { sends: 100, complaints: 2 } });
    expect(promo.history).toMatchObject([{ action: 'warned' }]);
  }, 90_000);

  it('a replayed complaint counts once', async () => {
    const to = `p0-${run}@yahoo.com`;
    await complain(to); // the same event id as the first complaint above: stored once, applied once
    await complain(`p2-${run}@yahoo.com`);
    const figures = await until('promo', (s) => s.rates['24h'].complaints >= 3);
    expect(figures.rates['24h'].complaints).toBe(3);
  }, 30_000);

  it('a synchronous hard bounce (550 5.1.1 at RCPT) counts as a send and a hard bounce', async () => {
    const to = `gone-${run}@gmail.com`;
    sink.rejectRecipient(to, '550 5.1.1 No such user');
    const before = (await stream('marketing')).rates['24h'];
    const data = app.templates.renderer.get('newsletter')!.sampleData;
    expect((await api('POST', '/v1/messages', { kind: 'marketing', to, template: 'newsletter', data, subscriptionType: 'newsletter' })).status).toBe(202);
    const after = await until('marketing', (s) => s.rates['24h'].hardBounces === before.hardBounces + 1);
    expect(after.rates['24h'].sends).toBe(before.sends + 1);
  }, 30_000);
});

describe('the gate fails closed', () => {
  it('holds marketing once the guard state cannot be read (a closed database), and lets it go while it can', async () => {
    const db = await mongoose.createConnection(mongoUrlFor(uniqueName('gate'))).asPromise();
    let clock = Date.now();
    const repository = new GuardRepository({ db });
    const held = new HeldJobs({ redis: app.ctx.redis, prefix: app.ctx.config.queuePrefix, queues: app.messages.queues, logger: silent });
    const gate = new GuardGate({ repository, streams: ['marketing'], held, metrics: createReputationMetrics(new Registry()), logger: silent, now: () => clock });
    try {
      expect(gate.holdMarketing('marketing', 'job-1')).toBeInstanceOf(Date); // never read yet: closed
      await gate.refresh();
      expect(gate.holdMarketing('marketing', 'job-1')).toBeUndefined();
      await repository.pause('marketing', { at: new Date(), by: 'operator', reason: 'test' });
      await gate.refresh();
      const heldUntil = gate.holdMarketing('marketing', 'job-2');
      expect(heldUntil!.getTime()).toBeGreaterThan(clock + 60_000);
      expect(await app.ctx.redis.sismember(held.key('marketing'), 'job-2')).toBe(1);
      await repository.resume('marketing', new Date());
      await gate.refresh();
      expect(gate.holdMarketing('marketing', 'job-3')).toBeUndefined();
      // A release (after the refresh, not awaited by it) found no such job: it leaves the set.
      await eventually(async () => (await app.ctx.redis.sismember(held.key('marketing'), 'job-2')) === 0, 5000, 20);

      await dropTestDatabase(db);
      await db.close(); // a real failure: every read now throws
      clock += 2000;
      await gate.refresh();
      expect(gate.holdMarketing('marketing', 'job-4')).toBeUndefined(); // still fresh enough
      clock += 4000;
      await gate.refresh();
      const stale = gate.holdMarketing('marketing', 'job-4');
      expect(stale).toBeInstanceOf(Date);
      expect(stale!.getTime()).toBeLessThanOrEqual(clock + 5000);
    } finally {
      await db.close().catch(() => undefined);
    }
  });
});
