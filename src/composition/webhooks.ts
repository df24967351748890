import { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { WEBHOOK_QUEUE } from '../shared/queues.ts';
import {
  DeliverWebhook,
  WEBHOOK_SWEEP_JOB,
  WebhookAdmin,
  WebhookJobs,
  WebhookLanes,
  WebhookRepository,
  WebhookSink,
  WebhookSweep,
  createWebhookMetrics,
  postWebhook,
  watchWebhookWorker,
  webhookJobProcessor,
  webhookRoutes,
  type WebhookJobData,
} from '../webhooks/index.ts';
import { addWorker, bullConnection, type Lifecycle } from './lifecycle.ts';

/** How often every process re-reads the enabled endpoints into its sink's cache. */
const REFRESH_MS = 5000;
// Every few minutes: on FerretDB the sweep's query is a scan of the collection (docs/ferretdb.md).
const SWEEP_EVERY_MS = 5 * 60_000;
/** A pending delivery this long past due without progress has probably lost its job. */
const SWEEP_GRACE_MS = 5 * 60_000;

export interface Webhooks {
  /** Where the other domains emit (AppEventSink). */
  sink: WebhookSink;
  /** For erasure: `repository.deleteForAddress(address)`. */
  repository: WebhookRepository;
  routes(): Router;
  /** The delivery worker (and its sweep), for processes that serve the `webhooks` queue. */
  addWorker(): void;
}

/** Webhooks to the application (PRODUCT.md §9): the sink every process emits into, the API, the delivery worker. */
export function buildWebhooks(life: Lifecycle, deps: { config: Config; logger: Logger; db: Connection; redis: Redis; metrics: Registry }): Webhooks {
  const { config, redis } = deps;
  const logger = deps.logger.child({ module: 'webhooks' });
  const prefix = config.queuePrefix;
  const repository = new WebhookRepository({ db: deps.db });
  const queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: bullConnection(redis), prefix });
  queue.on('error', (err) => logger.debug({ event: 'webhooks.queue_error', err: err.message }));
  life.onClose(queue);
  const lanes = new WebhookLanes({ redis, prefix });
  const jobs = new WebhookJobs({ queue });
  const sink = new WebhookSink({ repository, lanes, jobs, logger });
  const metrics = createWebhookMetrics(deps.metrics);
  const refresh = () => sink.refresh().catch((err: unknown) => logger.warn({ event: 'webhooks.refresh_failed', err }));

  life.onStart(async () => {
    await repository.ensureIndexes();
    await refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    timer.unref();
    life.onClose({ close: async () => clearInterval(timer) });
  });

  return {
    sink,
    repository,
    routes: () =>
      webhookRoutes({
        admin: new WebhookAdmin({
          repository,
          lanes,
          jobs,
          rules: { httpsOnly: config.env === 'production', allowPrivate: config.webhooks.allowPrivate },
          endpointsChanged: () => sink.refresh(),
        }),
      }),
    addWorker() {
      const deliver = new DeliverWebhook({
        repository,
        lanes,
        jobs,
        metrics,
        logger,
        retryScheduleMs: config.webhooks.retryScheduleMs,
        post: postWebhook,
        postOptions: { timeoutMs: config.webhooks.timeoutMs, allowPrivate: config.webhooks.allowPrivate },
      });
      const sweep = new WebhookSweep({ repository, lanes, jobs, logger, graceMs: SWEEP_GRACE_MS });
      addWorker(life, {
        config,
        logger,
        queue: WEBHOOK_QUEUE,
        processor: webhookJobProcessor({ deliver, sweep }),
        options: { concurrency: config.webhooks.concurrency },
        watch: (worker) => watchWebhookWorker(worker, logger),
        stoppedEvent: 'webhooks.worker_stopped',
      });
      life.onStart(() => queue.upsertJobScheduler(WEBHOOK_SWEEP_JOB, { every: SWEEP_EVERY_MS }, { name: WEBHOOK_SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } }));
    },
  };
}
