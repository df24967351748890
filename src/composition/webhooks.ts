import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { WEBHOOK_QUEUE } from '../shared/queues.ts';
import {
  WebhookAdmin,
  WebhookJobs,
  WebhookLanes,
  WebhookRepository,
  WebhookSink,
  createWebhookMetrics,
  webhookRoutes,
  type WebhookJobData,
  type WebhookMetrics,
} from '../webhooks/index.ts';
import { addQueue } from './bullmq.ts';
import type { Lifecycle } from './lifecycle.ts';

/** How often every process re-reads the enabled endpoints into its sink's cache. */
const REFRESH_MS = 5000;

/** What the delivery worker (composition/workers.ts) is built from. */
export interface WebhookDeliveryParts {
  repository: WebhookRepository;
  lanes: WebhookLanes;
  jobs: WebhookJobs;
  queue: Queue<WebhookJobData>;
  metrics: WebhookMetrics;
  logger: Logger;
}

export interface Webhooks {
  /** Where the other domains emit (AppEventSink). */
  sink: WebhookSink;
  /** For erasure and the access export: deliveries about an address. */
  repository: WebhookRepository;
  /** `/v1/webhooks` (api role). */
  routes(): Router;
  /** For the delivery worker and its sweep, in processes that serve the `webhooks` queue. */
  delivery: WebhookDeliveryParts;
}

/** Webhooks to the application (docs/rules.md §9): the sink every process emits into and the endpoints API. */
export function buildWebhooks(life: Lifecycle, deps: { config: Config; logger: Logger; db: Connection; redis: RedisClient; metrics: Registry }): Webhooks {
  const { config, redis } = deps;
  const logger = deps.logger.child({ module: 'webhooks' });
  const prefix = config.queuePrefix;
  const repository = new WebhookRepository({ db: deps.db });
  const queue = addQueue<WebhookJobData>(life, { config, redis, logger, name: WEBHOOK_QUEUE, event: 'webhooks.queue_error' });
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
    delivery: { repository, lanes, jobs, queue, metrics, logger },
  };
}
