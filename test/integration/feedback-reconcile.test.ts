import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { FEEDBACK_QUEUE } from '../../src/shared/queues.ts';
import { FEEDBACK_RECONCILE_JOB, FeedbackReconciler, FeedbackRepository, type FeedbackJobData } from '../../src/feedback/index.ts';
import { feedbackJobId } from '../../src/feedback/feedback-repository.ts';
import { apiClient } from '../helpers/api-client.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';

// Relay feedback answered 2xx is in MongoDB and its job in Redis; a Redis failover may lose the job
// (asynchronous replication). The feedback reconciler re-adds it, so the event is still applied.
describe('feedback whose job Redis lost', () => {
  let config: Config;
  let api_: Awaited<ReturnType<typeof startTestApp>>;
  let worker: App | undefined;
  let queue: Queue<FeedbackJobData>;
  const { api } = apiClient(() => api_);
  const records = () => api_.ctx.db.collection<{ _id: string; address: string; appliedAt?: Date }>('feedback_events');

  beforeAll(async () => {
    config = testConfig('feedbackreconcile', { RECONCILE_GRACE_MS: '500', RECONCILE_INTERVAL_MS: '300' });
    // API only: the event is stored and its job queued, but nothing works the queue yet.
    api_ = await startTestApp(config, { api: true, worker: false });
    queue = new Queue<FeedbackJobData>(FEEDBACK_QUEUE, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.close();
    await api_?.stop();
  });

  it('is re-driven by the reconciler once past the grace, and applied once', async () => {
    const address = `lost-job-${Date.now().toString(36)}@example.net`;
    const res = await api('POST', '/v1/feedback', { address, type: 'hard_bounce', detail: '550 5.1.1 no such user' });
    expect(res.status).toBe(202);
    const record = await records().findOne({ address });
    expect(record?.appliedAt).toBeUndefined();
    const jobId = feedbackJobId(record!._id);
    expect(await queue.getJob(jobId)).toBeDefined();

    // Redis loses the job (a failover to a replica that had not received it).
    await queue.remove(jobId);
    expect(await queue.getJobState(jobId)).toBe('unknown');

    worker = await createApp(config, { api: false, worker: true, queues: ['feedback'] });
    await worker.start();
    await eventually(async () => (await records().findOne({ _id: record!._id }))?.appliedAt !== undefined, 20_000);
    expect((await api('GET', `/v1/addresses/${encodeURIComponent(address)}`)).body.suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    expect((await api('GET', `/v1/addresses/${encodeURIComponent(address)}/history`)).body).toHaveLength(1);
  });

  it('leaves a record whose job is still waiting, or gave up, alone; re-adds only the lost one', async () => {
    const repository = new FeedbackRepository({ db: api_.ctx.db, erasures: { erasedKeys: async () => new Map() } });
    const at = new Date(Date.now() - 60_000);
    const ids = ['test:waiting', 'test:gave-up', 'test:lost', 'test:applied'];
    await records().insertMany(
      ids.map((_id) => ({ _id, type: 'hard_bounce', address: `${_id.slice(5)}@example.net`, at, provider: 'test', eventId: _id, message: {}, receivedAt: at, ...(_id === 'test:applied' ? { appliedAt: at } : {}) })) as never[],
    );
    // No worker of the app any more: the waiting job stays waiting. The gave-up one fails its only attempt.
    await worker?.close();
    worker = undefined;
    await queue.removeJobScheduler(FEEDBACK_RECONCILE_JOB);
    await queue.add('apply', { id: 'test:gave-up' }, { jobId: feedbackJobId('test:gave-up'), attempts: 1 });
    const failing = new Worker<FeedbackJobData>(FEEDBACK_QUEUE, async () => Promise.reject(new Error('database away for a day')), { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
    await eventually(async () => (await queue.getJobState(feedbackJobId('test:gave-up'))) === 'failed');
    await failing.close();
    await queue.add('apply', { id: 'test:waiting' }, { jobId: feedbackJobId('test:waiting') });

    const reconciler = new FeedbackReconciler({ feedback: repository, queue, logger: api_.ctx.logger, graceMs: 1000 });
    expect(await reconciler.run()).toEqual({ redriven: 1, gaveUp: 1 });
    expect(await queue.getJobState(feedbackJobId('test:lost'))).toBe('waiting');
    expect(await queue.getJobState(feedbackJobId('test:applied'))).toBe('unknown');
    // Run again: the re-added job now exists, so nothing is added twice.
    expect(await reconciler.run()).toEqual({ redriven: 0, gaveUp: 1 });
    expect(await queue.getJobState(feedbackJobId('test:waiting'))).toBe('waiting');
    expect(await queue.getJobState(feedbackJobId('test:lost'))).toBe('waiting');
    expect(await queue.getJobState(feedbackJobId('test:gave-up'))).toBe('failed');
  });
});
