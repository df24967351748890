import { Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { AppContext, Roles } from '../app.ts';
import { IMPORT_QUEUE } from '../shared/queues.ts';
import { createRedis } from '../shared/redis.ts';
import { AppError } from '../shared/errors.ts';
import { importChunkModel } from './import-chunk.model.ts';
import { importJobModel } from './import-job.model.ts';
import { ImportProcessor } from './import-processor.ts';
import { DEFAULT_IMPORT_MAX_BYTES, IMPORT_PATH, importRoutes, type ImportJobPayload } from './import-routes.ts';
import { MongoSubscriptionStore } from './mongo-subscription-store.ts';
import { operatorRoutes } from './operator-routes.ts';

export type { SubscriptionStore, ApplyOptions } from './subscription-store.ts';
export type { MongoSubscriptionStore, ConsentEventView, ApplyItem, ApplyItemResult } from './mongo-subscription-store.ts';
export { decide, SUPPRESS_REASONS, type Decision, type SuppressReason, type PolicyInput } from './policy.ts';
export { assertLegalBasis, liftsOptOut } from './legal-basis.ts';
export { toAddressView, type AddressView } from './address-view.ts';

export interface SubscriptionsModule {
  /** State by normalized address: get / getMany (one $in query) / apply (appends the consent event). */
  store: MongoSubscriptionStore;
  /** The operator API (only with roles.api), mounted under /v1 behind the API key. */
  apiRouter?: Router;
  /** /v1 paths whose bodies are not JSON. */
  rawBodyPaths: string[];
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriptionsOptions {
  /** Largest import body accepted (413 above). */
  importMaxBytes?: number;
}

const IMPORT_ATTEMPTS = 3;

// BullMQ bundles its own (newer) ioredis, whose Redis class type differs from ours by private
// members only; at run time BullMQ accepts any ioredis instance.
const bullConnection = (redis: Redis): ConnectionOptions => redis as unknown as ConnectionOptions;

export async function createSubscriptionsModule(ctx: AppContext, roles: Roles, options: SubscriptionsOptions = {}): Promise<SubscriptionsModule> {
  const logger = ctx.logger.child({ module: 'subscriptions' });
  const store = new MongoSubscriptionStore({ db: ctx.db, catalog: ctx.catalog, logger });
  const jobs = importJobModel(ctx.db);
  const chunks = importChunkModel(ctx.db);
  const processor = new ImportProcessor({ store, jobs, chunks, catalog: ctx.catalog, logger });

  let queue: Queue<ImportJobPayload, void, 'import'> | undefined;
  let apiRouter: Router | undefined;
  if (roles.api) {
    queue = new Queue<ImportJobPayload, void, 'import'>(IMPORT_QUEUE, {
      connection: bullConnection(ctx.redis),
      prefix: ctx.config.queuePrefix,
      defaultJobOptions: {
        attempts: IMPORT_ATTEMPTS,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    queue.on('error', (err) => logger.warn({ event: 'import.queue_error', err: err.message }));
    apiRouter = Router();
    apiRouter.use(operatorRoutes({ store, catalog: ctx.catalog }));
    apiRouter.use(importRoutes({ jobs, chunks, queue, logger, maxBytes: options.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES }));
  }

  let worker: Worker<ImportJobPayload> | undefined;
  let workerRedis: Redis | undefined;
  return {
    store,
    apiRouter,
    rawBodyPaths: [IMPORT_PATH],
    async start() {
      await Promise.all([store.ensureIndexes(), jobs.createIndexes(), chunks.createIndexes()]);
      if (!roles.worker) return;
      await store.repairPending();
      workerRedis = createRedis(ctx.config.redisUrl, 'worker');
      workerRedis.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
      const run = async (jobId: string) => {
        try {
          await processor.process(jobId);
        } catch (err) {
          // A file we cannot read (bad header, broken CSV) fails the same way every time: no retries.
          if (err instanceof AppError && err.status < 500) throw new UnrecoverableError(err.message);
          throw err;
        }
      };
      worker = new Worker<ImportJobPayload>(IMPORT_QUEUE, (job) => run(job.data.jobId), {
        connection: bullConnection(workerRedis),
        prefix: ctx.config.queuePrefix,
        concurrency: 1,
      });
      worker.on('error', (err) => logger.warn({ event: 'import.worker_error', err: err.message }));
      worker.on('failed', (job, err) => {
        if (!job) return;
        const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
        processor.attemptFailed(job.data.jobId, err, final).catch((e: unknown) => logger.error({ event: 'import.mark_failed_error', err: e }));
      });
    },
    async close() {
      await worker?.close();
      workerRedis?.disconnect();
      await queue?.close();
    },
  };
}
