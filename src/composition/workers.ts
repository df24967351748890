import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { FEEDBACK_QUEUE, IMPORT_QUEUE, SEND_QUEUE } from '../shared/queues.ts';
import { WORKER_QUEUES, type WorkerQueue } from '../shared/roles.ts';
import { importJobProcessor, watchImportWorker, type ImportProcessor, type MongoSubscriptionStore, type SubscriptionStore } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import type { MessageMetrics, MessageRepository } from '../messages/index.ts';
import { MessageSender, createNodemailerTransport, sendJobProcessor, sendWorkerOptions, watchSendWorker, type MailTransport } from '../delivery/index.ts';
import { ApplyFeedback, feedbackJobProcessor, feedbackWorkerSettings, watchFeedbackWorker, type FeedbackRepository } from '../feedback/index.ts';
import { addWorker, type Lifecycle } from './lifecycle.ts';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  store: MongoSubscriptionStore;
  importProcessor: ImportProcessor;
  messages: MessageRepository;
  messageMetrics: MessageMetrics;
  renderer: TemplateRenderer;
  feedback: FeedbackRepository;
  /** The store the send-time check reads (the real one unless the bench replaces it). */
  sendTimeStore?: SubscriptionStore;
  transport?: MailTransport;
}

/** The BullMQ workers of a process with the worker role, for the queues it serves (default: all). */
export function addWorkers(life: Lifecycle, deps: WorkerDeps, queues: readonly WorkerQueue[] = WORKER_QUEUES): void {
  const { config, logger } = deps;
  life.onStart(() => deps.store.repairPending());
  if (queues.includes('import')) {
    const subsLogger = logger.child({ module: 'subscriptions' });
    addWorker(life, {
      config,
      logger: subsLogger,
      queue: IMPORT_QUEUE,
      processor: importJobProcessor(deps.importProcessor),
      options: { concurrency: 1 },
      watch: (worker) => watchImportWorker(worker, deps.importProcessor, subsLogger),
    });
  }
  if (queues.includes('feedback')) {
    const feedbackLogger = logger.child({ module: 'feedback' });
    const applier = new ApplyFeedback({
      feedback: deps.feedback,
      messages: deps.messages,
      store: deps.store,
      softBounceLimit: config.feedback.softBounceLimit,
      softBounceWindowDays: config.feedback.softBounceWindowDays,
      logger: feedbackLogger,
    });
    addWorker(life, {
      config,
      logger: feedbackLogger,
      queue: FEEDBACK_QUEUE,
      processor: feedbackJobProcessor(applier),
      options: { concurrency: 5, settings: feedbackWorkerSettings },
      watch: (worker) => watchFeedbackWorker(worker, feedbackLogger),
    });
  }
  if (queues.includes('send')) {
    // [delivery] the transport, the send use case and its BullMQ worker
    const transport = deps.transport ?? createNodemailerTransport(config, logger);
    const sender = new MessageSender({
      messages: deps.messages,
      store: deps.sendTimeStore ?? deps.store,
      renderer: deps.renderer,
      transport,
      config,
      metrics: deps.messageMetrics,
      logger,
    });
    addWorker(life, {
      config,
      logger,
      queue: SEND_QUEUE,
      processor: sendJobProcessor(sender),
      options: sendWorkerOptions({ concurrency: config.workerConcurrency, rateLimit: config.sendRateLimit }),
      watch: (worker) => watchSendWorker(worker, logger),
      alsoClose: transport,
      stoppedEvent: 'delivery.worker_stopped',
    });
    life.onStart(async () => logger.info({ event: 'delivery.worker_started', concurrency: config.workerConcurrency }, 'send worker started'));
  }
}
