import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Registry } from 'prom-client';
import { ConfigError, type Config } from '../config.ts';
import { MessageEnqueuer, MessageRepository, OutcomeRecorder, SendJobs, StreamRouter, createMessageMetrics, messageRoutes, type MessageMetrics, type SendJobData } from '../messages/index.ts';
import type { AppEventSink } from '../shared/app-events.ts';
import type { ReputationEvents } from '../shared/reputation-events.ts';
import type { Logger } from '../shared/logger.ts';
import type { ReadShape } from '../shared/mongo.ts';
import { LEGACY_SEND_QUEUE, sendQueueName } from '../shared/queues.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import { addQueue } from './bullmq.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface Messages {
  repository: MessageRepository;
  /** Each stream's send queue, by stream name (config.streams order). */
  queues: ReadonlyMap<string, Queue<SendJobData>>;
  /** The single send queue of versions before streams: its jobs are moved to their stream (composition/workers.ts). */
  legacyQueue: Queue<SendJobData>;
  /** Which stream a message leaves by. */
  router: StreamRouter;
  /** The one place send jobs are added: enqueue, and the reconciler re-driving orphaned messages. */
  jobs: SendJobs;
  enqueuer: MessageEnqueuer;
  /** Where a message becomes final, for the send worker and the reconciler alike. */
  outcomes: OutcomeRecorder;
  metrics: MessageMetrics;
  /** `POST /v1/messages`, batch, status (api role). */
  routes(): Router;
}

/** Message records, a send queue per stream, enqueueing and status. */
export function buildMessages(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; db: Connection; redis: RedisClient; readShape: ReadShape; metrics: Registry; renderer: TemplateRenderer; catalog: SubscriptionCatalog; events: AppEventSink; reputation?: ReputationEvents },
): Messages {
  const { config, redis, logger } = deps;
  const repository = new MessageRepository({ db: deps.db, readShape: deps.readShape });
  const queue = (name: string) => addQueue<SendJobData>(life, { config, redis, logger, name, event: 'messages.queue_error' });
  const queues = new Map(config.streams.map((stream) => [stream.name, queue(sendQueueName(stream.name))]));
  const legacyQueue = queue(LEGACY_SEND_QUEUE);
  const router = new StreamRouter(config.streams);
  const metrics = createMessageMetrics(deps.metrics, queues);
  // Known to be down (lost and reconnecting, or closed): answer 503 at once. Still connecting: try.
  const ready = () => !['reconnecting', 'close', 'end'].includes(redis.status);
  const jobs = new SendJobs({ queues, legacy: legacyQueue, router, ready, attempts: config.sendRetry.attempts });
  const enqueuer = new MessageEnqueuer({ messages: repository, jobs, renderer: deps.renderer, catalog: deps.catalog, router, logger, metrics });
  const outcomes = new OutcomeRecorder({ messages: repository, metrics, events: deps.events, ...(deps.reputation ? { reputation: deps.reputation } : {}) });
  life.onStart(() => repository.ensureIndexes());
  return { repository, queues, legacyQueue, router, jobs, enqueuer, outcomes, metrics, routes: () => messageRoutes({ enqueuer, messages: repository }) };
}

/** A frequency cap on a subscription type the catalog does not have stops start-up (config-frequency-cap.ts checks the rest). */
export function checkFrequencyCapTypes(config: Config, catalog: SubscriptionCatalog): void {
  const unknown = [...(config.frequencyCap?.types.keys() ?? [])].find((type) => !catalog.has(type));
  if (unknown !== undefined) throw new ConfigError(`invalid configuration: FREQUENCY_CAP_TYPES: unknown subscription type "${unknown.slice(0, 64)}"`);
}

/** A stream that claims a subscription type the catalog does not have stops start-up (config-streams.ts checks the rest). */
export function checkStreamTypes(config: Config, catalog: SubscriptionCatalog): void {
  for (const stream of config.streams) {
    const unknown = stream.types.find((type) => !catalog.has(type));
    if (unknown !== undefined) throw new ConfigError(`invalid configuration: STREAM_${stream.name.toUpperCase()}_TYPES: unknown subscription type "${unknown.slice(0, 64)}"`);
  }
}
