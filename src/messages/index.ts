import { Queue, type ConnectionOptions } from 'bullmq';
import type { Router } from 'express';
import type { AppContext, Roles } from '../app.ts';
import type { SubscriptionStore } from '../subscriptions/subscription-store.ts';
import type { TemplateRenderer } from '../templates/types.ts';
import { SEND_QUEUE } from '../shared/queues.ts';
import { createDelivery, type Delivery, type MailTransport } from '../delivery/index.ts';
import { MessageEnqueuer, type EnqueueOptions } from './enqueue-messages.ts';
import type { BatchResult, EnqueueResult, MessageInput, MessageView } from './message-input.ts';
import { createMessageMetrics } from './message-metrics.ts';
import { messageModel, type MessageModel } from './message.model.ts';
import { messageRoutes } from './message-routes.ts';
import { getMessageStatus } from './message-status.ts';
import type { SendJobData } from './send-job.ts';

export * from './message-input.ts';
export type { MessageRecord } from './message.model.ts';

export interface MessagesModule {
  /** Enqueue one message (same rules as POST /v1/messages); throws AppError on bad input, 503 when not stored. */
  enqueue(input: MessageInput, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Up to 1,000 messages, answered per item (POST /v1/messages/batch). */
  enqueueBatch(items: unknown[]): Promise<BatchResult>;
  /** GET /v1/messages/:id; 404 `message_not_found`. */
  getStatus(id: string): Promise<MessageView>;
  model: MessageModel;
  queue: Queue<SendJobData>;
  /** Present in processes with the worker role. */
  delivery: Delivery | undefined;
  apiRouter: Router | undefined;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface MessagesDeps {
  store: SubscriptionStore;
  renderer: TemplateRenderer;
  /** Replaces the nodemailer transport (e.g. a benchmark's null transport). */
  transport?: MailTransport;
}

/** Enqueue, status and (with the worker role) the send worker. */
export function createMessagesModule(ctx: AppContext, roles: Roles, deps: MessagesDeps): MessagesModule {
  const model = messageModel(ctx.db);
  // bullmq bundles its own ioredis typings; the instance is the same at run time.
  const queue = new Queue<SendJobData>(SEND_QUEUE, { connection: ctx.redis as unknown as ConnectionOptions, prefix: ctx.config.queuePrefix });
  queue.on('error', (err) => ctx.logger.debug({ event: 'messages.queue_error', err: err.message }));
  const metrics = createMessageMetrics(ctx.metrics, queue);
  const enqueuer = new MessageEnqueuer({
    model,
    queue,
    renderer: deps.renderer,
    catalog: ctx.catalog,
    logger: ctx.logger,
    metrics,
    // Known to be down (lost and reconnecting, or closed): answer 503 at once. Still connecting: try.
    queueReady: () => !['reconnecting', 'close', 'end'].includes(ctx.redis.status),
  });
  const delivery = roles.worker
    ? createDelivery(ctx, { model, store: deps.store, renderer: deps.renderer, metrics, ...(deps.transport ? { transport: deps.transport } : {}) })
    : undefined;
  return {
    enqueue: (input, options) => enqueuer.enqueue(input, options),
    enqueueBatch: (items) => enqueuer.enqueueBatch(items),
    getStatus: (id) => getMessageStatus(model, id),
    model,
    queue,
    delivery,
    apiRouter: roles.api ? messageRoutes({ enqueuer, model }) : undefined,
    async start() {
      await model.createIndexes();
      await delivery?.start();
    },
    async close() {
      await delivery?.close();
      await queue.close();
    },
  };
}
