// A marketing backlog never delays transactional mail (docs/rules.md §12): each stream has its own
// queue and, in every worker process, its own BullMQ Worker and concurrency.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { enqueueAll } from '../faults/drill-helpers.ts';

const BACKLOG = 2000;
const TRANSACTIONAL = 20;
let transactionalSink: SmtpSink;
let marketingSink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  [transactionalSink, marketingSink] = await Promise.all([startSmtpSink({ parse: false }), startSmtpSink({ parse: false })]);
  app = await startTestApp(testConfig('isolation', { SMTP_URL: transactionalSink.url, STREAM_MARKETING_SMTP_URL: marketingSink.url, WORKER_CONCURRENCY: '20' }));
});

afterAll(async () => {
  marketingSink?.release();
  await app?.stop();
  await Promise.all([transactionalSink?.close(), marketingSink?.close()]);
});

it('sends transactional mail enqueued behind 2,000 newsletters while the marketing relay hangs and its queue is still deep', { timeout: 120_000 }, async () => {
  // The marketing relay takes every message and answers none: every marketing slot stays busy.
  marketingSink.hold();
  const news = app.templates.renderer.get('newsletter')!.sampleData;
  const welcome = app.templates.renderer.get('welcome')!.sampleData;
  await enqueueAll(app.url!, Array.from({ length: BACKLOG }, (_, i) => ({ kind: 'marketing' as const, to: `reader-${i}@example.com`, template: 'newsletter', subscriptionType: 'newsletter', data: news })));
  await eventually(() => marketingSink.held > 0, 30_000, 50);

  const ids = await enqueueAll(app.url!, Array.from({ length: TRANSACTIONAL }, (_, i) => ({ kind: 'transactional' as const, to: `reset-${i}@example.com`, template: 'welcome', data: welcome })));
  await transactionalSink.waitFor(TRANSACTIONAL, 60_000);

  // They arrived while the backlog stood: nothing of it reached a relay, and almost all of it waits.
  const { waiting = 0, active = 0 } = await app.messages.queues.get('marketing')!.getJobCounts('waiting', 'active');
  expect(marketingSink.count).toBe(0);
  expect(waiting + active).toBe(BACKLOG);
  expect(waiting).toBeGreaterThanOrEqual(BACKLOG - 20);
  expect(transactionalSink.count).toBe(TRANSACTIONAL);
  // (an outcome is written a moment after its relay accepted the mail)
  const views = await eventually(async () => {
    const all = await Promise.all(ids.map((id) => app.messages.getStatus(id)));
    return all.every((v) => v.status === 'sent') && all;
  }, 20_000, 50);
  expect(new Set(views.map((v) => v.stream))).toEqual(new Set(['transactional']));
});
