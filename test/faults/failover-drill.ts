// The failover drill of #25 (docs/rules.md §15), one runner for every Redis topology: Sentinel
// (redis-sentinel.test.ts) and Cluster (redis-cluster.test.ts). The app (API and workers in this
// process) sends 2,000 messages of both streams to a timed SMTP sink; while they send, the Redis node
// that holds the send queue is SIGKILLed, right after a last 50 messages and 5 relay events were
// written (a topology may hold those back from the replica, which then never has their jobs).
// During the kill a relay posts signed bounce feedback for mail already sent (retrying as relays
// do), and the API is called until it takes mail again. Then every message must end with an outcome
// and reach the sink (duplicates only for mail that was in an SMTP transaction at the kill), every
// feedback event the relay saw accepted must be applied, and every message.sent webhook event must
// reach the receiver. Redis replicates asynchronously: what the kill loses, the reconcilers
// (messages, feedback) and the webhook sweep re-drive.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { bullConnection } from '../../src/composition/bullmq.ts';
import type { Config } from '../../src/config.ts';
import { WEBHOOK_QUEUE, bullQueueName } from '../../src/shared/queues.ts';
import { WebhookJobs, WebhookLanes, WebhookRepository, WebhookSweep, type WebhookJobData } from '../../src/webhooks/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { dropTestDatabase } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { mailgunSignature } from '../helpers/relay-signers.ts';
import { startWebhookReceiver, type ReceivedHook } from '../helpers/webhook-receiver.ts';
import { enqueueAll, sampleData, startTimedSink, statusCounts, type EnqueueItem } from './drill-helpers.ts';

export interface DrillTopology {
  /** Names the drill in its figures line, and its database and queue prefix. */
  label: string;
  /** What names the topology to the app: REDIS_SENTINELS…, or REDIS_CLUSTER_NODES…. */
  env: Record<string, string | undefined>;
  /**
   * SIGKILLs the node that serves the send queue (the app's config tells its prefix); resolves once
   * it is dead. Calls `lastWrites` first, where the topology can hold those writes back from the
   * replica that takes over (a lagging replica): they are then lost with the node.
   */
  kill(config: Config, lastWrites: () => Promise<void>): Promise<void>;
  /** Checks after the drill that the topology failed over as intended (e.g. the replica was promoted). */
  afterRecovery?(): Promise<void>;
}

export interface DrillFigures {
  sent: number;
  duplicates: number;
  inFlightAtKill: number;
  lost: number;
  recoveryMs: number;
  feedbackAccepted: number;
  feedbackApplied: number;
  webhookEvents: number;
  webhookDuplicates: number;
  /** Messages and feedback events the reconcilers re-added to their queue (their job was lost). */
  redriven: { messages: number; feedback: number };
  /** What the API answered during the kill, per endpoint. */
  answers: Answer[];
  /** Stored webhook deliveries left pending without a job by the kill: the sweep puts them back. */
  stranded: number;
}

const MESSAGES = 2000;
/** Messages enqueued and relay events accepted just before the kill: a lagging replica never gets their jobs. */
const LAST_MESSAGES = 50;
const LAST_FEEDBACK = 5;
const KILL_AFTER = 300;
/** Relay events posted during the kill, each about a message already at the sink. */
const FEEDBACK_EVENTS = 20;
const MAILGUN_KEY = 'key-drill-mailgun-signing-0123456789';
const MAILGUN_FIXTURE = resolve(import.meta.dirname, '../fixtures/feedback/mailgun-failed-permanent.json');

/** Runs the drill on a started topology; asserts, prints one line of figures and returns them. */
export async function runFailoverDrill(topology: DrillTopology, cleanups: (() => Promise<void>)[]): Promise<DrillFigures> {
  const sink = await startTimedSink();
  cleanups.push(() => sink.close());
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const config = testConfig(`drill${topology.label}`, {
    SMTP_URL: sink.url,
    RECONCILE_GRACE_MS: '3000',
    RECONCILE_INTERVAL_MS: '1000',
    FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // 2,000 message.sent events: deliveries wait on the receiver's round trips, not on the CPU.
    WEBHOOK_CONCURRENCY: '50',
    ...topology.env,
  });
  // Warnings and errors are kept, to count what the reconcilers re-drove (`*.redriven`).
  const events: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => void events.push(/"event":"([^"]+)"/.exec(line)?.[1] ?? '?') });
  const app = await createApp(config, { api: true, worker: true }, logger);
  cleanups.push(async () => (await dropTestDatabase(app.ctx.db), await app.close()));
  await app.start();
  const url = app.url!;

  const created = await post(url, '/v1/webhooks', { url: receiver.url, events: ['message.sent', 'message.bounced'] }, authHeaders);
  expect(created.status).toBe(201);
  const secret = String(((await created.json()) as { secret: string }).secret);

  // Both streams: transactional and marketing messages, interleaved.
  const [reset, newsletter] = [await sampleData(url, 'password-reset'), await sampleData(url, 'newsletter')];
  const tag = randomBytes(3).toString('hex');
  const items: EnqueueItem[] = Array.from({ length: MESSAGES }, (_, i) =>
    i % 2 === 0
      ? { kind: 'transactional', to: `drill-${tag}-${i}@example.com`, template: 'password-reset', data: reset }
      : { kind: 'marketing', to: `drill-${tag}-${i}@example.com`, template: 'newsletter', subscriptionType: 'newsletter', data: newsletter },
  );
  const t0 = performance.now();
  const phase: Record<string, number> = {};
  const mark = (name: string) => (phase[name] = Math.round((performance.now() - t0) / 100) / 10);
  const ids = await enqueueAll(url, items);
  mark('enqueued');
  const toOf = new Map(ids.map((id, i) => [id, items[i]!.to]));

  await eventually(() => sink.ids.length >= KILL_AFTER, 60_000, 5);
  const answers: Answer[] = [];
  const sentBefore = [...new Set(sink.ids.filter((id) => toOf.has(id)))];
  const lastFeedbackAbout = sentBefore.slice(FEEDBACK_EVENTS, FEEDBACK_EVENTS + LAST_FEEDBACK);
  let lastAccepted: (string | undefined)[] = [];
  let killedAt = 0;
  await topology.kill(config, async () => {
    const last = items.slice(0, LAST_MESSAGES).map((item) => ({ ...item, to: item.to.replace('@', '-last@') }));
    const lastIds = await enqueueAll(url, last);
    lastIds.forEach((id, i) => (ids.push(id), toOf.set(id, last[i]!.to)));
    lastAccepted = await Promise.all(lastFeedbackAbout.map((id) => postUntilAccepted(url, mailgunBounce(toOf.get(id)!, sink.headerIds.get(id)!), answers)));
    killedAt = performance.now();
  });
  const inFlight = sink.openAt(killedAt).length;
  mark('killed');

  // During the kill: the relay posts its events (retrying until 2xx), and clients keep calling the API.
  const feedbackAbout = sentBefore.slice(0, FEEDBACK_EVENTS);
  const [duringAccepted, probe] = await Promise.all([
    Promise.all(feedbackAbout.map((id) => postUntilAccepted(url, mailgunBounce(toOf.get(id)!, sink.headerIds.get(id)!), answers))),
    probeUntilAccepted(url, tag, reset, answers, killedAt),
  ]);
  ids.push(probe.id);
  const accepted = [...duringAccepted, ...lastAccepted];
  const bouncedAbout = [...feedbackAbout, ...lastFeedbackAbout];
  toOf.set(probe.id, `drill-${tag}-probe@example.com`);

  // No message stays queued past the reconciler's grace, and every one reached the sink.
  await eventually(async () => {
    const counts = await statusCounts(app);
    const delivered = new Set(sink.ids);
    return !counts.queued && ids.every((id) => delivered.has(id));
  }, 90_000, 500);
  mark('all sent');
  const counts = await statusCounts(app);
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(ids.length);
  expect(Object.keys(counts).filter((s) => s !== 'sent' && s !== 'bounced')).toEqual([]);

  // Every event the relay saw accepted is applied: its record, the address, the message.
  const records = app.ctx.db.collection<{ _id: string; appliedAt?: Date }>('feedback_events');
  const acceptedIds = accepted.filter((a): a is string => a !== undefined);
  await eventually(async () => (await records.countDocuments({ _id: { $in: acceptedIds.map((e) => `mailgun:${e}`) }, appliedAt: { $exists: true } })) === acceptedIds.length, 30_000, 250);
  const bounced = bouncedAbout.filter((_, i) => accepted[i] !== undefined);
  for (const id of bounced) {
    const state = (await (await fetch(`${url}/v1/addresses/${encodeURIComponent(toOf.get(id)!)}`, { headers: authHeaders })).json()) as { suppression?: { kind: string } };
    expect(state.suppression?.kind).toBe('hard_bounce');
  }

  mark('feedback applied');
  // The webhook sweep runs every few minutes (a scan on FerretDB); the drill runs it once now, as
  // its next tick would, for deliveries stored while Redis was away whose lane or job was lost.
  const stranded = await sweepWebhooks(app, config);
  mark('webhooks swept');
  const sentEvents = (hooks: ReceivedHook[]) => hooks.filter((h) => h.body.type === 'message.sent');
  await eventually(() => new Set(sentEvents(receiver.received).map((h) => h.body.data.messageId)).size >= ids.length, 60_000, 250);
  await eventually(() => bounced.every((id) => receiver.received.some((h) => h.body.type === 'message.bounced' && h.body.data.messageId === id)), 30_000, 250);
  mark('webhooks received');
  const sent = sentEvents(receiver.received);
  const eventIds = new Set(sent.map((h) => String(h.headers['webhook-id'])));
  expect(eventIds.size).toBe(ids.length);
  expect(new Set(sent.map((h) => h.body.data.messageId))).toEqual(new Set(ids));
  expect(() => receiver.verify(sent[0]!, secret)).not.toThrow();

  const delivered = new Set(sink.ids);
  const figures: DrillFigures = {
    sent: ids.length,
    duplicates: sink.ids.length - delivered.size,
    inFlightAtKill: inFlight,
    lost: ids.filter((id) => !delivered.has(id)).length,
    recoveryMs: Math.round(probe.at - killedAt),
    feedbackAccepted: acceptedIds.length,
    feedbackApplied: await records.countDocuments({ _id: { $in: acceptedIds.map((e) => `mailgun:${e}`) }, appliedAt: { $exists: true } }),
    webhookEvents: eventIds.size,
    webhookDuplicates: sent.length - eventIds.size,
    stranded,
    redriven: { messages: events.filter((e) => e === 'reconcile.redriven').length, feedback: events.filter((e) => e === 'feedback.redriven').length },
    answers,
  };
  console.log(
    `drill ${topology.label}: sent ${figures.sent}, duplicates ${figures.duplicates} (in flight at kill ${figures.inFlightAtKill}), lost ${figures.lost}, recovery ${figures.recoveryMs} ms, ` +
      `feedback accepted ${figures.feedbackAccepted} applied ${figures.feedbackApplied}, webhook events ${figures.webhookEvents} (dups ${figures.webhookDuplicates}, stranded without a job ${figures.stranded}); ` +
      `re-driven: messages ${figures.redriven.messages}, feedback ${figures.redriven.feedback}; ` +
      `answers during the kill: ${summarize(answers)}; at s: ${Object.entries(phase).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );

  console.log(`drill ${topology.label}: logged ${tally(events)}`);
  expect(figures.lost).toBe(0);
  // No request failed unexpectedly (a 500 on any route), and no worker stopped.
  expect(events.filter((e) => e === 'http.unexpected_error' || e.endsWith('worker_stopped'))).toEqual([]);
  expect(figures.duplicates).toBeLessThanOrEqual(figures.inFlightAtKill);
  expect(figures.feedbackAccepted).toBe(FEEDBACK_EVENTS + LAST_FEEDBACK);
  expect(figures.feedbackApplied).toBe(figures.feedbackAccepted);
  // While Redis fails over the API says so (503) or waits for it, and never fails (500); then it takes mail again.
  expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  await topology.afterRecovery?.();
  return figures;
}

/** A status the API answered during the kill, and to which endpoint. */
export interface Answer {
  path: 'feedback' | 'messages';
  status: number;
}

const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** A Mailgun permanent failure about a message we sent, signed once: a relay retries the same body. */
function mailgunBounce(to: string, headerMessageId: string): { eventId: string; body: string } {
  const fixture = JSON.parse(readFileSync(MAILGUN_FIXTURE, 'utf8')) as { signature: unknown; 'event-data': Record<string, unknown> & { message: { headers: Record<string, string> } } };
  const eventId = `drill-${randomBytes(8).toString('hex')}`;
  const data = fixture['event-data'];
  const event = { ...data, id: eventId, timestamp: Date.now() / 1000, recipient: to, envelope: { targets: to }, message: { ...data.message, headers: { ...data.message.headers, to, 'message-id': headerMessageId } } };
  return { eventId, body: JSON.stringify({ signature: mailgunSignature(MAILGUN_KEY), 'event-data': event }) };
}

/** Posts as a relay does until a 2xx (every 250 ms, for a minute); the event id once accepted. */
async function postUntilAccepted(url: string, event: { eventId: string; body: string }, answers: Answer[]): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await post(url, '/v1/feedback/mailgun', event.body).catch(() => undefined);
    if (res) answers.push({ path: 'feedback', status: res.status });
    if (res?.status === 500) console.log('500 feedback', await res.clone().text().catch(() => ''));
    await res?.arrayBuffer();
    if (res && res.status >= 200 && res.status < 300) return event.eventId;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/** Calls the API every 100 ms with one message until it is taken: its id, and when (performance.now()). */
async function probeUntilAccepted(url: string, tag: string, data: Record<string, unknown>, answers: Answer[], from: number): Promise<{ id: string; at: number }> {
  const message = { kind: 'transactional', to: `drill-${tag}-probe@example.com`, template: 'password-reset', data };
  return eventually(
    async () => {
      const res = await post(url, '/v1/messages/batch', { messages: [message] }, authHeaders);
      answers.push({ path: 'messages', status: res.status });
      if (res.status !== 202) return void (await res.arrayBuffer());
      const { results } = (await res.json()) as { results: { id: string }[] };
      return { id: results[0]!.id, at: Math.max(from, performance.now()) };
    },
    60_000,
    100,
  );
}

/**
 * The webhook deliveries the kill left stranded, put back as the sweep's next tick would: once the
 * queue has worked what it holds, the stored deliveries still pending without a job are counted
 * (their job was lost with Redis, or never added while it was away), then the sweep runs with no
 * grace until it finds no more than one page.
 */
async function sweepWebhooks(app: App, config: Config): Promise<number> {
  const queue = new Queue<WebhookJobData>(bullQueueName(WEBHOOK_QUEUE, config), { connection: bullConnection(app.ctx.redis), prefix: config.queuePrefix });
  try {
    await eventually(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    }, 60_000, 250);
    const pending = await app.ctx.db.collection<{ _id: string }>('webhook_deliveries').find({ status: 'pending' }, { projection: { _id: 1 } }).toArray();
    const states = await Promise.all(pending.map((d) => queue.getJobState(d._id)));
    const stranded = states.filter((s) => s === 'unknown').length;
    const repository = new WebhookRepository({ db: app.ctx.db });
    const sweep = new WebhookSweep({ repository, lanes: new WebhookLanes({ redis: app.ctx.redis, prefix: config.queuePrefix }), jobs: new WebhookJobs({ queue }), logger: app.ctx.logger, graceMs: 0 });
    for (let run = 0; run < 20 && (await sweep.run(Date.now() + 1)) >= 500; run++);
    return stranded;
  } finally {
    await queue.close();
  }
}

/** `a×2, b×1`: how often each value occurs, in order of first occurrence. */
const tally = (values: string[]): string =>
  Object.entries(values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {}))
    .map(([what, n]) => `${what}×${n}`)
    .join(', ');
const summarize = (answers: Answer[]): string => tally(answers.map((a) => `${a.path} ${a.status}`));
