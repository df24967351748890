import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutcomeRecorder } from '../../src/messages/index.ts';
import { appEventId, type AppEventType, type OutboxMark } from '../../src/shared/app-events.ts';
import { WEBHOOK_QUEUE } from '../../src/shared/queues.ts';
import { OutboxSweep, WEBHOOK_OUTBOX_JOB, WebhookJobs, WebhookLanes, WebhookRepository, WebhookSink, type WebhookJobData } from '../../src/webhooks/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

// The test (#25): the delivery insert fails once (a failing stub of the repository, wrapped
// around the real one), and the event still arrives exactly once, announced by the outbox sweep.

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let app: TestApp;
let smtp: SmtpSink;
let receiver: WebhookReceiver;
let queue: Queue<WebhookJobData>;
/** Delivery inserts still to refuse (the stub below). */
let refusals = 0;
let refused = 0;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
const { api, settled, send } = apiClient(() => app);

/** The real repository, but its next `refusals` delivery inserts fail as a refused MongoDB write would. */
function failingOnce(real: WebhookRepository): WebhookRepository {
  const stub = Object.create(real) as WebhookRepository;
  stub.insertDeliveries = async (docs) => {
    if (docs.length > 0 && refusals > 0) {
      refusals -= 1;
      refused += 1;
      throw new Error('insert refused (test stub)');
    }
    return real.insertDeliveries(docs);
  };
  return stub;
}

const db = () => app.ctx.db;
const markOf = async (collection: string, id: string) => (await db().collection<{ _id: string; outbox?: OutboxMark }>(collection).findOne({ _id: id }))?.outbox;
const deliveriesAbout = (address: string) => db().collection('webhook_deliveries').countDocuments({ address });

/** The outbox sweep as the worker runs it, over a sink of its own on the same database and queue; grace 0 unless told. */
async function sweep(options: { graceMs?: number; now?: number } = {}): Promise<number> {
  const repository = new WebhookRepository({ db: db() });
  const sink = new WebhookSink({ repository, lanes: new WebhookLanes({ redis: app.ctx.redis, prefix: app.ctx.config.queuePrefix }), jobs: new WebhookJobs({ queue }), logger: app.ctx.logger });
  await sink.refresh();
  return new OutboxSweep({ repository, sink, logger: app.ctx.logger, graceMs: options.graceMs ?? 0 }).run(options.now ?? Date.now() + 1);
}

async function endpoint(events: AppEventType[]): Promise<void> {
  const res = await api('POST', '/v1/webhooks', { url: receiver.url, events });
  expect(res.status).toBe(201);
}

/** Exactly one hook about `address`, of this type and event id, and it stays one after another sweep and the worker's turn. */
async function arrivesOnce(address: string, type: AppEventType, eventId: string): Promise<void> {
  const [hook] = await receiver.waitFor(address, 1);
  expect(hook!.body.type).toBe(type);
  expect(hook!.headers['webhook-id']).toBe(eventId);
  expect(await sweep()).toBe(0);
  // Every delivery about the address is delivered, and none was made twice.
  await eventually(async () => ((await db().collection('webhook_deliveries').countDocuments({ address, status: { $ne: 'delivered' } })) === 0 ? true : undefined));
  expect(await deliveriesAbout(address)).toBe(1);
  expect(receiver.about(address).map((h) => h.headers['webhook-id'])).toEqual([eventId]);
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  receiver = await startWebhookReceiver();
  const config = testConfig('whoutbox', { SMTP_URL: smtp.url, WEBHOOK_ALLOW_PRIVATE: 'true' });
  app = await startTestApp(config, { api: true, worker: true }, { webhookRepository: failingOnce });
  queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
});

afterEach(async () => {
  refusals = 0;
  for (const w of (await api('GET', '/v1/webhooks')).body.webhooks as { id: string }[]) await api('DELETE', `/v1/webhooks/${w.id}`);
});

afterAll(async () => {
  await queue?.close();
  await app?.stop();
  await receiver?.close();
  await smtp?.close();
});

describe('a refused delivery insert: the outbox keeps the event, the sweep announces it once', () => {
  it('message.sent: the outcome is stored marked, nothing is delivered, the sweep announces it with the same id, once', async () => {
    await endpoint(['message.sent']);
    const address = fresh('sent');
    refusals = 1;
    const before = refused;
    const id = await send('transactional', address);
    expect(await settled(id)).toMatchObject({ status: 'sent' });
    await eventually(() => (refused > before ? true : undefined));
    const mark = await markOf('message_outcomes', id);
    expect(mark?.events).toEqual([expect.objectContaining({ id: appEventId(id, 'message.sent'), type: 'message.sent', address })]);
    expect(await deliveriesAbout(address)).toBe(0);

    expect(await sweep()).toBeGreaterThanOrEqual(1);
    expect(await markOf('message_outcomes', id)).toBeUndefined();
    await arrivesOnce(address, 'message.sent', appEventId(id, 'message.sent'));
    // The outcome as the API shows it carries no trace of the mark.
    expect((await api('GET', `/v1/messages/${id}`)).body).not.toHaveProperty('outbox');
  });

  it('subscription.changed (one change, and a bulk change): the consent event carries the mark until the sweep', async () => {
    await endpoint(['subscription.changed']);
    const one = fresh('consent');
    refusals = 1;
    await app.subscriptions.store.apply(one, { optedOutOfAll: true }, { source: 'api' });
    const bulk = fresh('bulk');
    refusals = 1;
    const results = await app.subscriptions.store.applyMany([{ address: bulk, change: { optedOutOfAll: true }, context: { source: 'api' } }]);
    expect(results).toEqual([{ changed: true }]);
    for (const address of [one, bulk]) {
      const mark = await markOf('consent_events', `${address}#1`);
      expect(mark?.events).toEqual([expect.objectContaining({ id: appEventId('subscription.changed', `${address}#1`), type: 'subscription.changed' })]);
      expect(await deliveriesAbout(address)).toBe(0);
    }

    expect(await sweep()).toBeGreaterThanOrEqual(2);
    for (const address of [one, bulk]) {
      expect(await markOf('consent_events', `${address}#1`)).toBeUndefined();
      await arrivesOnce(address, 'subscription.changed', appEventId('subscription.changed', `${address}#1`));
      expect(receiver.about(address)[0]!.body.data).toMatchObject({ source: 'api', consentEventId: `${address}#1`, after: { optedOutOfAll: true } });
    }
    // The history API shows the event without its mark.
    const history = await api('GET', `/v1/addresses/${encodeURIComponent(one)}/history`);
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).toContain(`${one}#1`);
    expect(JSON.stringify(history.body)).not.toContain('outbox');
  });

  it('message.bounced: the message feedback carries the mark until the sweep', async () => {
    await endpoint(['message.bounced']);
    const address = fresh('bounce');
    const id = await send('transactional', address);
    expect(await settled(id)).toMatchObject({ status: 'sent' });
    refusals = 1;
    expect((await api('POST', '/v1/feedback', { address, type: 'hard_bounce', messageId: id, detail: '550 5.1.1 no such user', eventId: `b-${id}` })).status).toBe(202);
    const mark = await eventually(() => markOf('message_feedback', id));
    expect(mark.events).toEqual([expect.objectContaining({ id: appEventId(id, 'message.bounced'), type: 'message.bounced' })]);
    expect(await deliveriesAbout(address)).toBe(0);

    expect(await sweep()).toBeGreaterThanOrEqual(1);
    await arrivesOnce(address, 'message.bounced', appEventId(id, 'message.bounced'));
    expect(await markOf('message_feedback', id)).toBeUndefined();
  });

  it('sending.paused: the stream guard audit record carries the mark until the sweep; the resume, without a failure, needs none', async () => {
    await endpoint(['sending.paused', 'sending.resumed']);
    const address = 'stream:marketing';
    const already = receiver.about(address).length;
    refusals = 1;
    expect((await api('POST', '/v1/streams/marketing/pause', { explanation: 'outbox test' })).status).toBe(200);
    const audits = db().collection<{ _id: string; action: string; outbox?: OutboxMark }>('stream_guard_events');
    const paused = await audits.findOne({ stream: 'marketing', action: 'paused' });
    expect(paused?.outbox?.events).toEqual([expect.objectContaining({ id: appEventId('sending.paused', paused!._id), type: 'sending.paused', address })]);
    expect(await deliveriesAbout(address)).toBe(0);

    expect(await sweep()).toBe(1);
    const [hook] = await receiver.waitFor(address, already + 1);
    expect(hook!.headers['webhook-id']).toBe(appEventId('sending.paused', paused!._id));
    expect(hook!.body.data).toMatchObject({ stream: 'marketing', by: 'operator', explanation: 'outbox test' });
    expect((await audits.findOne({ _id: paused!._id }))?.outbox).toBeUndefined();

    expect((await api('POST', '/v1/streams/marketing/resume', { explanation: 'done' })).status).toBe(200);
    await receiver.waitFor(address, already + 2);
    const resumed = await audits.findOne({ stream: 'marketing', action: 'resumed' });
    expect(resumed).not.toHaveProperty('outbox');
    expect(await sweep()).toBe(0);
    expect(receiver.about(address).map((h) => h.headers['webhook-id'])).toEqual([appEventId('sending.paused', paused!._id), appEventId('sending.resumed', resumed!._id)]);
  });
});

describe('without a failure, and without an endpoint', () => {
  it('the mark is cleared right after the deliveries are stored: no sweep needed', async () => {
    await endpoint(['message.sent', 'subscription.changed']);
    const address = fresh('plain');
    const id = await send('transactional', address);
    await receiver.waitFor(address, 1);
    await app.subscriptions.store.apply(address, { optedOutOfAll: true }, { source: 'api' });
    await receiver.waitFor(address, 2);
    expect(await db().collection('message_outcomes').countDocuments({ _id: id as never, outbox: { $exists: true } })).toBe(0);
    expect(await markOf('consent_events', `${address}#1`)).toBeUndefined();
    expect(receiver.about(address).map((h) => h.headers['webhook-id'])).toEqual([appEventId(id, 'message.sent'), appEventId('subscription.changed', `${address}#1`)]);
  });

  it('an event no endpoint wants is never marked (the send path pays nothing)', async () => {
    await endpoint(['message.failed']);
    const address = fresh('unwanted');
    const id = await send('transactional', address);
    expect(await settled(id)).toMatchObject({ status: 'sent' });
    await app.subscriptions.store.apply(address, { optedOutOfAll: true }, { source: 'api' });
    expect(await db().collection('message_outcomes').findOne({ _id: id as never })).not.toHaveProperty('outbox');
    expect(await db().collection('consent_events').findOne({ _id: `${address}#1` as never })).not.toHaveProperty('outbox');
    expect(await deliveriesAbout(address)).toBe(0);
  });
});

describe('a crash between the two writes', () => {
  it('an outcome stored with its mark whose emit never ran is announced by the sweep after the grace, once', async () => {
    await endpoint(['message.sent']);
    const address = fresh('crash');
    const messageId = `msg_crash${Date.now().toString(36)}${seq++}`;
    // The process "dies" after the outcome's insert: its sink wants the event but its emit never runs.
    const crashed = new OutcomeRecorder({ messages: app.messages.repository, events: { wants: () => true, emit: async () => undefined } });
    await crashed.record({ _id: messageId, to: address, kind: 'transactional', template: 'welcome' }, { status: 'sent', sentAt: new Date(), attempts: 1 });
    expect(await markOf('message_outcomes', messageId)).toBeDefined();

    // Younger than the grace: left to the writer's own emit.
    expect(await sweep({ graceMs: 30_000, now: Date.now() })).toBe(0);
    expect(await markOf('message_outcomes', messageId)).toBeDefined();
    expect(await sweep({ graceMs: 30_000, now: Date.now() + 31_000 })).toBe(1);
    expect(await markOf('message_outcomes', messageId)).toBeUndefined();
    await arrivesOnce(address, 'message.sent', appEventId(messageId, 'message.sent'));
    expect(receiver.about(address)[0]!.body.data).toMatchObject({ messageId, kind: 'transactional', template: 'welcome' });
  });

  it("the worker's own outbox job announces a mark older than the grace (30 s)", async () => {
    await endpoint(['message.sent']);
    const address = fresh('job');
    const messageId = `msg_job${Date.now().toString(36)}${seq++}`;
    const event = { id: appEventId(messageId, 'message.sent'), type: 'message.sent', address, at: new Date(), data: { messageId, kind: 'transactional', template: 'welcome' } };
    // As a process that died right after the outcome's insert a minute ago left it.
    await db()
      .collection<{ _id: string }>('message_outcomes')
      .insertOne({ _id: messageId, status: 'sent', at: new Date(), outbox: { at: new Date(Date.now() - 60_000), events: [event] } } as { _id: string });
    await queue.add(WEBHOOK_OUTBOX_JOB, { deliveryId: '' }, { removeOnComplete: true });
    await arrivesOnce(address, 'message.sent', event.id);
    expect(await markOf('message_outcomes', messageId)).toBeUndefined();
  });

  it('a mark that stayed though its deliveries were stored (the clear failed) is announced again without a second delivery', async () => {
    await endpoint(['message.sent']);
    const address = fresh('stale');
    const id = await send('transactional', address);
    await receiver.waitFor(address, 1);
    const event = { id: appEventId(id, 'message.sent'), type: 'message.sent', address, at: new Date(), data: { messageId: id, kind: 'transactional', template: 'welcome' } };
    await db().collection<{ _id: string }>('message_outcomes').updateOne({ _id: id }, { $set: { outbox: { at: new Date(Date.now() - 60_000), events: [event] } } });
    expect(await sweep()).toBe(1);
    expect(await markOf('message_outcomes', id)).toBeUndefined();
    await arrivesOnce(address, 'message.sent', appEventId(id, 'message.sent'));
  });
});
