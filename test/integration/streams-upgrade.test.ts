// The upgrade to streams: jobs an older version left on its single `send` queue are moved to their
// message's stream queue and sent exactly once (messages/legacy-send-jobs.ts).
import { Types } from 'mongoose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEND_JOB, sendJobOptions, type MessageRecord, type SendJobData } from '../../src/messages/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let transactionalSink: SmtpSink;
let marketingSink: SmtpSink;
let api: TestApp;
let worker: TestApp | undefined;

beforeAll(async () => {
  [transactionalSink, marketingSink] = await Promise.all([startSmtpSink(), startSmtpSink()]);
  const config = testConfig('upgrade', { SMTP_URL: transactionalSink.url, STREAM_MARKETING_SMTP_URL: marketingSink.url });
  // The worker of the new version starts later (in the test), against the same database and queues.
  api = await startTestApp(config, { api: true, worker: false });
});

afterAll(async () => {
  await worker?.close();
  await api?.stop();
  await Promise.all([transactionalSink?.close(), marketingSink?.close()]);
});

/** A record as the version before streams wrote it: no `stream`. */
function oldRecord(kind: MessageRecord['kind'], to: string, template: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  const id = new Types.ObjectId().toHexString();
  const data = JSON.stringify(api.templates.renderer.get(template)!.sampleData);
  return { _id: id, kind, to, template, data, locale: 'en', idempotencyKey: `m:${id}`, status: 'queued', attempts: 0, createdAt: new Date(), tagged: true, ...extra };
}

it('moves every job left on the old send queue to its stream and sends each exactly once', { timeout: 60_000 }, async () => {
  const repository = api.messages.repository;
  const legacy = api.messages.legacyQueue;
  const welcome = oldRecord('transactional', 'old-welcome@example.com', 'welcome');
  const news = oldRecord('marketing', 'old-news@example.com', 'newsletter', { subscriptionType: 'newsletter' });
  const sendAt = new Date(Date.now() + 2500);
  const later = oldRecord('transactional', 'old-later@example.com', 'welcome', { sendAt });
  const alreadySent = oldRecord('transactional', 'old-final@example.com', 'welcome');
  const sentUnrecorded = oldRecord('transactional', 'old-checkpoint@example.com', 'welcome');
  const all = [welcome, news, later, alreadySent, sentUnrecorded];
  for (const record of all) await repository.insert(record);
  // The jobs exactly as the old version added them (SendJobs.addNew: id, `created`, delay for sendAt);
  // `created` is no longer read, and such jobs still run.
  const oldJob = (id: string): SendJobData => ({ id, created: true }) as SendJobData;
  for (const record of all) await legacy.add(SEND_JOB, oldJob(record._id), sendJobOptions(record._id, record.sendAt, 12));
  // One was sent and recorded before the upgrade, its job duplicated; one was sent, not recorded: its job kept the checkpoint.
  await repository.recordOutcomes([{ id: alreadySent._id, outcome: { status: 'sent', smtpResponse: '250 Ok', smtpMessageId: `<${alreadySent._id}@old>`, sentAt: new Date(), attempts: 1 } }]);
  const checkpoint = { smtpMessageId: `<${sentUnrecorded._id}@old>`, smtpResponse: '250 Ok: queued as OLD1', sentAt: new Date().toISOString() };
  await (await legacy.getJob(sentUnrecorded._id))!.updateProgress({ sent: checkpoint });
  expect(await legacy.getJobCounts('waiting', 'delayed')).toMatchObject({ waiting: 4, delayed: 1 });

  worker = await startTestApp(api.ctx.config, { api: false, worker: true });
  await transactionalSink.waitFor(1, 20_000);
  await marketingSink.waitFor(1, 20_000);
  // The delayed one keeps its delay: it is moved, and sent, once its time has come.
  const [laterMail] = await transactionalSink.waitFor(2, 20_000).then((mails) => mails.filter((m) => m.to[0] === 'old-later@example.com'));
  expect(laterMail).toBeDefined();
  expect(Date.now()).toBeGreaterThanOrEqual(sendAt.getTime());

  const views = await eventually(async () => {
    const found = await Promise.all(all.map((r) => api.messages.getStatus(r._id)));
    return found.every((v) => v.status === 'sent') && found;
  }, 20_000, 100);
  expect(views.map((v) => [v.to, v.stream ?? '(none: an old record)'])).toEqual([
    ['old-welcome@example.com', '(none: an old record)'],
    ['old-news@example.com', '(none: an old record)'],
    ['old-later@example.com', '(none: an old record)'],
    ['old-final@example.com', '(none: an old record)'],
    ['old-checkpoint@example.com', '(none: an old record)'],
  ]);
  // Exactly once each: the marketing one by the marketing relay, the final one and the checkpointed one not again.
  expect(transactionalSink.messages.map((m) => m.to[0]).sort()).toEqual(['old-later@example.com', 'old-welcome@example.com']);
  expect(marketingSink.messages.map((m) => m.to[0])).toEqual(['old-news@example.com']);
  expect(views[4]).toMatchObject({ status: 'sent', sentAt: checkpoint.sentAt });
  expect((await repository.findView(sentUnrecorded._id))?.relayMessageId).toBe('OLD1');
  // The relay that took the moved ones is named on their outcome.
  expect(views[0]!.relay).toBe(`smtp://127.0.0.1:${transactionalSink.port}`);
  expect(views[1]!.relay).toBe(`smtp://127.0.0.1:${marketingSink.port}`);
  await eventually(async () => {
    const left = await legacy.getJobCounts('waiting', 'delayed', 'active');
    return Object.values(left).every((n) => n === 0);
  }, 20_000, 100);
});
