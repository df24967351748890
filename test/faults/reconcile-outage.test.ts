// Drill: the database stays away longer than the whole send retry schedule; the reconciler finishes
// every message once it is back (docs/rules.md §11: none stays `queued` without a job).
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { testConfig } from '../helpers/env.ts';
import { deleteQueueKeys } from '../helpers/app.ts';
import { startOwnDatabase } from '../helpers/ferretdb.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually } from '../helpers/processes.ts';
import { duplicatesOf, enqueueAll, receivedIds, sampleData, statusCounts } from './drill-helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: outage longer than the retry schedule', () => {
  it('leaves no message queued: given-up jobs end failed/retries_exhausted, lost jobs are re-driven and sent once', { timeout: 60_000 }, async () => {
    const db = await startOwnDatabase();
    cleanups.push(() => db.destroy());
    const sink = await startSmtpSink({ parse: false });
    cleanups.push(() => sink.close());
    const config = testConfig('reconcile', {
      MONGO_URL: db.url,
      SMTP_URL: sink.url,
      SEND_ATTEMPTS: '2',
      SEND_BACKOFF_MS: '100',
      SEND_BACKOFF_MAX_MS: '200',
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_GRACE_MS: '1000',
    });
    const app: App = await createApp(config, { api: true, worker: true });
    await app.start();
    cleanups.push(async () => (await app.close(), await deleteQueueKeys(config.redisUrl, config.queuePrefix)));

    const data = await sampleData(app.url!, 'welcome');
    const sendAt = new Date(Date.now() + 2000).toISOString();
    const ids = await enqueueAll(
      app.url!,
      Array.from({ length: 15 }, (_, i) => ({ kind: 'transactional' as const, to: `orphan-${i}@drill.example.com`, template: 'welcome', data, sendAt })),
    );
    // Five jobs are lost (as when Redis loses them, or a process dies between insert and add).
    const lost = ids.slice(10);
    for (const id of lost) await app.messages.queues.get('transactional')!.remove(id);
    const givingUp = ids.slice(0, 10);

    await db.stop();
    // The ten come due during the outage and use every attempt while it lasts.
    await eventually(async () => (await app.messages.queues.get('transactional')!.getJobCounts('failed')).failed === 10, 30_000, 200);
    expect(sink.count).toBe(0);
    for (const id of givingUp) expect(await (await app.messages.queues.get('transactional')!.getJob(id))?.getState()).toBe('failed');

    await db.start();
    await eventually(async () => {
      const counts = await statusCounts(app);
      return counts.queued === undefined && (counts.sent ?? 0) + (counts.failed ?? 0) === 15;
    }, 30_000, 200);

    expect(await statusCounts(app)).toEqual({ sent: 5, failed: 10 });
    for (const id of givingUp) {
      const view = await app.messages.getStatus(id);
      expect(view).toMatchObject({ status: 'failed', reason: 'retries_exhausted' });
    }
    for (const id of lost) expect((await app.messages.getStatus(id)).status).toBe('sent');
    // Re-driven mail goes out once; nothing that gave up is sent.
    await sink.waitFor(5);
    expect(receivedIds(sink).sort()).toEqual([...lost].sort());
    expect(duplicatesOf(receivedIds(sink))).toBe(0);
  });
});
