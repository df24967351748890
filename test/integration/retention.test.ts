import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackRepository } from '../../src/feedback/index.ts';
import { MessageRetention } from '../../src/messages/index.ts';
import { MAINTENANCE_QUEUE, RECONCILE_QUEUE } from '../../src/shared/queues.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Retention (docs/rules.md §10): records, outcomes and raw feedback older than MESSAGE_RETENTION_DAYS
// go, in batches, by a repeatable job (no TTL indexes); consent events stay; unfinished messages stay.
let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
const { api, settled, send } = apiClient(() => app);
const DAY = 86_400_000;

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('retention', { SMTP_URL: sink.url }));
});
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('retention', () => {
  it('deletes final messages and raw feedback older than the window, keeping consent events, newer and unfinished messages', async () => {
    const address = `kept-${Date.now().toString(36)}@example.org`;
    const old = await send('transactional', address);
    const recent = await send('transactional', address);
    await settled(old);
    await settled(recent);
    const scheduled = await api('POST', '/v1/messages', { kind: 'transactional', to: address, template: 'welcome', data: app.templates.renderer.get('welcome')!.sampleData, sendAt: new Date(Date.now() + 90 * DAY).toISOString() });
    const future = String(scheduled.body.id);
    expect((await api('PATCH', `/v1/addresses/${address}`, { optedOutOfAll: true })).status).toBe(200);
    expect((await api('POST', '/v1/feedback', { address, type: 'soft_bounce', messageId: old, eventId: 'ret-old' })).status).toBe(202);
    expect((await api('POST', '/v1/feedback', { address, type: 'soft_bounce', messageId: recent, eventId: 'ret-new' })).status).toBe(202);
    const db = app.ctx.db;
    await eventually(async () => (await db.collection('feedback_events').countDocuments({ address, appliedAt: { $exists: true } })) === 2);

    // Age the first message, its outcome and one feedback event by 40 days; the scheduled one too (it has no outcome).
    const aged = new Date(Date.now() - 40 * DAY);
    await db.collection('messages').updateMany({ _id: { $in: [old, future] } as never }, { $set: { createdAt: aged } });
    await db.collection('message_outcomes').updateOne({ _id: old as never }, { $set: { at: aged } });
    await db.collection('feedback_events').updateOne({ eventId: 'ret-old' }, { $set: { receivedAt: aged } });

    const cutoff = new Date(Date.now() - 30 * DAY);
    expect(await new MessageRetention({ messages: app.messages.repository, pageSize: 2 }).run(cutoff)).toEqual({ messages: 1 });
    expect(await new FeedbackRepository({ db, erasures: app.subscriptions.store.erasures }).deleteReceivedBefore(cutoff)).toBe(1);

    expect((await api('GET', `/v1/messages/${old}`)).status).toBe(404);
    expect(await db.collection('message_outcomes').countDocuments({ _id: old as never })).toBe(0);
    expect((await api('GET', `/v1/messages/${recent}`)).body).toMatchObject({ status: 'sent' });
    expect((await api('GET', `/v1/messages/${future}`)).body).toMatchObject({ status: 'queued' });
    expect(await db.collection('feedback_events').countDocuments({ address })).toBe(1);
    const history = (await api('GET', `/v1/addresses/${address}/history`)).body as unknown as unknown[];
    expect(history).toHaveLength(1);
  });

  it('is scheduled as a repeatable job of its own queue on every send worker, no longer on the reconciler\'s', async () => {
    const connection = { connection: { url: app.ctx.config.redisUrl }, prefix: app.ctx.config.queuePrefix };
    const maintenance = new Queue(MAINTENANCE_QUEUE, connection);
    const reconcile = new Queue(RECONCILE_QUEUE, connection);
    try {
      const ids = (await eventually(async () => {
        const schedulers = await maintenance.getJobSchedulers();
        return schedulers.length >= 1 ? schedulers : undefined;
      })).map((s) => s.key ?? s.id);
      expect(ids).toEqual(['retention']);
      const reconcileIds = (await eventually(async () => {
        const schedulers = await reconcile.getJobSchedulers();
        return schedulers.length >= 1 ? schedulers : undefined;
      })).map((s) => s.key ?? s.id);
      expect(reconcileIds).toEqual(['reconcile']);
    } finally {
      await maintenance.close();
      await reconcile.close();
    }
  });
});
