// Issue 12 item 4: an import that takes its worker down with it (OOM, kill) is failed after two
// crashes with a clear reason, not re-run forever. A crash is a worker that stops without
// finishing its job: force-closed, so its lock lapses and another worker finds the job stalled.
import { once } from 'node:events';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_QUEUE } from '../../src/shared/queues.ts';
import { ImportProcessor, importChunkModel, importJobModel, importJobProcessor, watchImportWorker, type ImportJobPayload } from '../../src/subscriptions/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
const connections: Redis[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  // the API only: the test plays the import workers itself
  app = await startTestApp(testConfig('importcrash'), { api: true, worker: false });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close(true)));
  for (const c of connections.splice(0)) c.disconnect();
});
afterAll(async () => {
  await app?.stop();
});

const fast = { lockDuration: 600, stalledInterval: 200 };

function worker(processor: (job: Job<ImportJobPayload>) => Promise<void>, maxStalledCount: number): Worker<ImportJobPayload> {
  const connection = new Redis(app.ctx.config.redisUrl, { maxRetriesPerRequest: null });
  connections.push(connection);
  const w = new Worker<ImportJobPayload>(IMPORT_QUEUE, processor, { connection: connection as unknown as ConnectionOptions, prefix: app.ctx.config.queuePrefix, concurrency: 1, maxStalledCount, ...fast });
  w.on('error', () => undefined);
  workers.push(w);
  return w;
}

/** A worker that takes the job and dies with it. */
async function crashOnce(maxStalledCount: number): Promise<void> {
  const w = worker(() => new Promise<void>(() => undefined), maxStalledCount);
  await once(w, 'active');
  await w.close(true);
}

async function startImport(): Promise<string> {
  const res = await fetch(`${app.url}/v1/addresses/import`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'text/csv' },
    body: 'address,action\ncrash@example.com,unsubscribe_all\n',
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { jobId: string }).jobId;
}

describe('an import that crashed its worker twice', () => {
  // 1: BullMQ's default, whose own stall limit fails the job; 5: a setting where only our guard does
  it.each([1, 5])('is failed with a clear reason, not run a third time (maxStalledCount %i)', async (maxStalledCount) => {
    const jobId = await startImport();
    await crashOnce(maxStalledCount);
    await crashOnce(maxStalledCount);
    const jobs = importJobModel(app.ctx.db);
    const processor = new ImportProcessor({ store: app.subscriptions!.store, jobs, chunks: importChunkModel(app.ctx.db), catalog: app.ctx.catalog, logger: app.ctx.logger });
    let ran = false;
    const runImport = importJobProcessor(processor);
    const last = worker(async (job) => {
      ran = true;
      await runImport(job);
    }, maxStalledCount);
    watchImportWorker(last, processor, app.ctx.logger);
    const [job, err] = (await once(last, 'failed')) as [Job<ImportJobPayload>, Error];
    expect(job.data.jobId).toBe(jobId);
    expect(err.message).toMatch(/^import_crashed_worker|^job stalled more than allowable limit$/);
    // the import record says so (watchImportWorker writes it; wait for that write)
    const deadline = Date.now() + 5000;
    let record = await jobs.findById(jobId).lean();
    while (record?.status !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50)); // polling a database write: no event to await
      record = await jobs.findById(jobId).lean();
    }
    expect(record).toMatchObject({ status: 'failed', failure: expect.stringMatching(/^import_crashed_worker: /) });
    // nothing of the file was applied: the third start did not run the import
    expect((await app.subscriptions!.store.get('crash@example.com')).version).toBe(0);
    if (maxStalledCount > 1) expect(ran).toBe(true); // our guard, inside the processor, refused it
  });
});
