import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppContext } from '../app.ts';
import { createRedis } from '../shared/redis.ts';
import type { SubscriptionStore } from '../subscriptions/subscription-store.ts';
import type { TemplateRenderer } from '../templates/types.ts';
import type { MessageMetrics } from '../messages/message-metrics.ts';
import type { MessageModel } from '../messages/message.model.ts';
import { createNodemailerTransport } from './nodemailer-transport.ts';
import { MessageSender } from './send-message.ts';
import { createSendWorker } from './send-worker.ts';
import type { MailTransport } from './transport.ts';

export type { MailTransport, OutgoingMail, SendResult } from './transport.ts';
export { MessageSender, TransientSendError, type SendOutcome } from './send-message.ts';
export { createNodemailerTransport } from './nodemailer-transport.ts';

export interface DeliveryDeps {
  model: MessageModel;
  store: SubscriptionStore;
  renderer: TemplateRenderer;
  metrics: MessageMetrics;
  /** Defaults to nodemailer from the configuration (SMTP pool, or .eml files in development). */
  transport?: MailTransport;
}

export interface Delivery {
  sender: MessageSender;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The send worker of one process: transport, use case and BullMQ worker, built once. */
export function createDelivery(ctx: AppContext, deps: DeliveryDeps): Delivery {
  const { config, logger } = ctx;
  const transport = deps.transport ?? createNodemailerTransport(config, logger);
  const sender = new MessageSender({
    model: deps.model,
    store: deps.store,
    renderer: deps.renderer,
    transport,
    config,
    metrics: deps.metrics,
    logger,
  });
  let connection: Redis | undefined;
  let worker: Worker | undefined;
  return {
    sender,
    async start() {
      connection = createRedis(config.redisUrl, 'worker');
      connection.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
      worker = createSendWorker({
        sender,
        connection,
        prefix: config.queuePrefix,
        concurrency: config.workerConcurrency,
        rateLimit: config.sendRateLimit,
        logger,
      });
      void worker.run().catch((err: unknown) => logger.error({ event: 'delivery.worker_stopped', err }));
      await worker.waitUntilReady();
      logger.info({ event: 'delivery.worker_started', concurrency: config.workerConcurrency }, 'send worker started');
    },
    async close() {
      await worker?.close();
      await transport.close();
      connection?.disconnect();
    },
  };
}
