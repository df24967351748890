import { Queue, type Worker } from 'bullmq';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';
import { FEEDBACK_QUEUE, IMPORT_QUEUE, RECONCILE_QUEUE, SEND_QUEUE } from '../shared/queues.ts';
import { WORKER_QUEUES, type WorkerQueue } from '../shared/roles.ts';
import { importJobProcessor, watchImportWorker, type ImportProcessor, type MongoSubscriptionStore, type SubscriptionStore } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import { MessageReconciler, MessageRetention, RECONCILE_JOB, type MessageMetrics, type MessageRepository, type ReconcileReport, type SendJobs } from '../messages/index.ts';
import { MessageSender, createNodemailerTransport, relayIdFromReply, sendJobProcessor, sendWorkerOptions, watchSendWorker, type MailTransport } from '../delivery/index.ts';
import { ApplyFeedback, feedbackJobProcessor, feedbackWorkerSettings, watchFeedbackWorker, type FeedbackRepository } from '../feedback/index.ts';
import { addWorker, bullConnection, workerRedis, type Lifecycle } from './lifecycle.ts';
import type { Webhooks } from './webhooks.ts';

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  store: MongoSubscriptionStore;
  importProcessor: ImportProcessor;
  messages: MessageRepository;
  messageMetrics: MessageMetrics;
  /** The one place send jobs are added: the reconciler re-drives orphaned messages through it. */
  sendJobs: SendJobs;
  renderer: TemplateRenderer;
  feedback: FeedbackRepository;
  /** The sink the workers emit into, and the delivery worker for the `webhooks` queue. */
  webhooks: Webhooks;
  /** The keyed tag of every message's VERP address and Message-ID. */
  messageTags: MessageTags;
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
  if (queues.includes('webhooks')) deps.webhooks.addWorker();
  if (queues.includes('feedback')) {
    const feedbackLogger = logger.child({ module: 'feedback' });
    const applier = new ApplyFeedback({
      feedback: deps.feedback,
      messages: deps.messages,
      store: deps.store,
      erasures: deps.store.erasures,
      softBounceLimit: config.feedback.softBounceLimit,
      softBounceWindowDays: config.feedback.softBounceWindowDays,
      logger: feedbackLogger,
      events: deps.webhooks.sink,
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
    const transport = deps.transport ?? createNodemailerTransport(config, logger, deps.messageTags);
    const sender = new MessageSender({
      messages: deps.messages,
      store: deps.sendTimeStore ?? deps.store,
      renderer: deps.renderer,
      transport,
      config,
      metrics: deps.messageMetrics,
      logger,
      events: deps.webhooks.sink,
    });
    addWorker(life, {
      config,
      logger,
      queue: SEND_QUEUE,
      processor: sendJobProcessor(sender),
      options: sendWorkerOptions({ concurrency: config.workerConcurrency, rateLimit: config.sendRateLimit, retry: config.sendRetry }),
      watch: (worker) => watchSendWorker(worker, logger),
      alsoClose: transport,
      stoppedEvent: 'delivery.worker_stopped',
    });
    life.onStart(async () => logger.info({ event: 'delivery.worker_started', concurrency: config.workerConcurrency }, 'send worker started'));
    addReconciler(life, deps);
  }
}

/**
 * The reconciler of orphaned messages, on a small queue of its own: a repeatable job every
 * RECONCILE_INTERVAL_MS (one job scheduler, upserted by every send worker: BullMQ runs each tick
 * once, on one of them). A run that fails (the database still away) waits for the next tick.
 */
const RETENTION_JOB = 'retention';
const RETENTION_INTERVAL_MS = 3600_000;

function addReconciler(life: Lifecycle, deps: WorkerDeps): void {
  const { config } = deps;
  const logger = deps.logger.child({ module: 'reconcile' });
  const reconciler = new MessageReconciler({
    messages: deps.messages,
    jobs: deps.sendJobs,
    logger,
    metrics: deps.messageMetrics,
    graceMs: config.reconcile.graceMs,
    relayIdOf: relayIdFromReply,
    events: deps.webhooks.sink,
  });
  const retention = new MessageRetention({ messages: deps.messages });
  // The same small queue runs retention (no TTL indexes: see docs/ferretdb.md), hourly.
  const runRetention = async (): Promise<ReconcileReport> => {
    const cutoff = new Date(Date.now() - config.messageRetentionDays * 86_400_000);
    const [{ messages }, feedback, webhookDeliveries] = await Promise.all([retention.run(cutoff), deps.feedback.deleteReceivedBefore(cutoff), deps.webhooks.repository.deleteFinishedBefore(cutoff)]);
    if (messages + feedback + webhookDeliveries > 0) logger.info({ event: 'retention.deleted', messages, feedback, webhookDeliveries });
    return { redriven: 0, failed: 0, recordedSent: 0 };
  };
  addWorker<unknown, ReconcileReport>(life, {
    config,
    logger,
    queue: RECONCILE_QUEUE,
    processor: (job) => (job.name === RETENTION_JOB ? runRetention() : reconciler.run()),
    options: { concurrency: 1 },
    watch: (worker: Worker<unknown, ReconcileReport>) => {
      worker.on('error', (err) => logger.error({ event: 'reconcile.worker_error', err: err.message }));
      worker.on('failed', (_job, err) => logger.warn({ event: 'reconcile.run_failed', err }));
    },
    stoppedEvent: 'reconcile.worker_stopped',
  });
  life.onStart(async () => {
    const connection = workerRedis(config, logger);
    const queue = new Queue(RECONCILE_QUEUE, { connection: bullConnection(connection), prefix: config.queuePrefix });
    queue.on('error', (err) => logger.debug({ event: 'reconcile.queue_error', err: err.message }));
    life.onClose({ close: async () => (await queue.close(), connection.disconnect()) });
    await queue.upsertJobScheduler(RECONCILE_JOB, { every: config.reconcile.intervalMs }, { name: RECONCILE_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } });
    await queue.upsertJobScheduler(RETENTION_JOB, { every: RETENTION_INTERVAL_MS }, { name: RETENTION_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } });
  });
}
