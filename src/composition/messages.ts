import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { MessageEnqueuer, MessageRepository, OutcomeRecorder, SendJobs, createMessageMetrics, messageRoutes, type MessageMetrics, type SendJobData } from '../messages/index.ts';
import type { AppEventSink } from '../shared/app-events.ts';
import type { Logger } from '../shared/logger.ts';
import type { ReadShape } from '../shared/mongo.ts';
import { SEND_QUEUE } from '../shared/queues.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import { addQueue } from './bullmq.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface Messages {
  repository: MessageRepository;
  queue: Queue<SendJobData>;
  /** The one place send jobs are added: enqueue, and the reconciler re-driving orphaned messages. */
  jobs: SendJobs;
  enqueuer: MessageEnqueuer;
  /** Where a message becomes final, for the send worker and the reconciler alike. */
  outcomes: OutcomeRecorder;
  metrics: MessageMetrics;
  /** `POST /v1/messages`, batch, status (api role). */
  routes(): Router;
}

/** Message records, the send queue, enqueueing and status. */
export function buildMessages(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; db: Connection; redis: Redis; readShape: ReadShape; metrics: Registry; renderer: TemplateRenderer; catalog: SubscriptionCatalog; events: AppEventSink },
): Messages {
  const { config, redis, logger } = deps;
  const repository = new MessageRepository({ db: deps.db, readShape: deps.readShape });
  const queue = addQueue<SendJobData>(life, { config, redis, logger, name: SEND_QUEUE, event: 'messages.queue_error' });
  const metrics = createMessageMetrics(deps.metrics, queue);
  // Known to be down (lost and reconnecting, or closed): answer 503 at once. Still connecting: try.
  const jobs = new SendJobs({ queue, ready: () => !['reconnecting', 'close', 'end'].includes(redis.status), attempts: config.sendRetry.attempts });
  const enqueuer = new MessageEnqueuer({ messages: repository, jobs, renderer: deps.renderer, catalog: deps.catalog, logger, metrics });
  const outcomes = new OutcomeRecorder({ messages: repository, metrics, events: deps.events });
  life.onStart(() => repository.ensureIndexes());
  return { repository, queue, jobs, enqueuer, outcomes, metrics, routes: () => messageRoutes({ enqueuer, messages: repository }) };
}
