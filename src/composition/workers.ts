import type { Worker } from 'bullmq';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Registry } from 'prom-client';
import { ConfigError, type Config } from '../config.ts';
import { FrequencyCap, MessageSender, PacedTransport, createFrequencyCapMetric, RedisRelayState, createRelayMetrics, createStreamMetrics, sendJobProcessor, sendWorkerOptions, watchSendWorker, type MailTransport } from '../delivery/index.ts';
import { ApplyFeedback, FEEDBACK_RECONCILE_JOB, FeedbackReconciler, feedbackJobProcessor, feedbackWorkerSettings, watchFeedbackWorker, withFeedbackReconcile } from '../feedback/index.ts';
import { MessageReconciler, RECONCILE_JOB, legacySendJobProcessor, sendRetrySettings, type ReconcileReport } from '../messages/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';
import { FEEDBACK_QUEUE, IMPORT_QUEUE, LEGACY_SEND_QUEUE, RECONCILE_QUEUE, WEBHOOK_QUEUE, sendQueueName } from '../shared/queues.ts';
import { WORKER_QUEUES, type WorkerQueue } from '../shared/roles.ts';
import { importJobProcessor, watchImportWorker, type SubscriptionStore } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import { DeliverWebhook, WEBHOOK_OUTBOX_JOB, WEBHOOK_SWEEP_JOB, WebhookSweep, postWebhook, watchWebhookWorker, webhookJobProcessor } from '../webhooks/index.ts';
import { addSchedule, addWorker } from './bullmq.ts';
import type { Feedback } from './feedback.ts';
import type { Lifecycle } from './lifecycle.ts';
import { addMaintenance } from './maintenance.ts';
import type { Messages } from './messages.ts';
import type { Reputation } from './reputation.ts';
import { applyQueueLimiter, streamPace, streamTransport } from './streams.ts';
import type { Subscriptions } from './subscriptions.ts';
import { OUTBOX_EVERY_MS, type Webhooks } from './webhooks.ts';

// Every few minutes: on FerretDB the sweep's query is a scan of the collection (docs/ferretdb.md).
const SWEEP_EVERY_MS = 5 * 60_000;
/** A pending webhook delivery this long past due without progress has probably lost its job. */
const SWEEP_GRACE_MS = 5 * 60_000;

export interface WorkerDeps {
  config: Config;
  logger: Logger;
  /** The client connection: stream pace counters live beside the queues. */
  redis: RedisClient;
  metrics: Registry;
  subscriptions: Subscriptions;
  messages: Messages;
  feedback: Feedback;
  webhooks: Webhooks;
  renderer: TemplateRenderer;
  /** The keyed tag of every message's VERP address and Message-ID. */
  messageTags: MessageTags;
  /** The reputation guard: its counters (feedback) and the send path's gate. */
  reputation?: Reputation;
  /** The store the send-time check reads (the real one unless the bench replaces it). */
  sendTimeStore?: SubscriptionStore;
  /** One transport for every stream instead of each stream's relay (a test's, the bench's). */
  transport?: MailTransport;
}

/**
 * Every BullMQ worker of a process with the worker role, for the queues it serves (default: all):
 * imports, webhook deliveries, feedback, and sends — one worker per stream (`streams`, default:
 * every stream), the mover of the legacy send queue, the reconciler of orphaned messages and the
 * hourly maintenance (composition/maintenance.ts).
 */
export function addWorkers(life: Lifecycle, deps: WorkerDeps, queues: readonly WorkerQueue[] = WORKER_QUEUES, streams?: readonly string[]): void {
  life.onStart(() => deps.subscriptions.store.repairPending());
  if (queues.includes('import')) addImportWorker(life, deps);
  if (queues.includes('webhooks')) addWebhookWorker(life, deps);
  if (queues.includes('feedback')) addFeedbackWorker(life, deps);
  if (queues.includes('send')) {
    addSendWorkers(life, deps, streams);
    addLegacySendMover(life, deps);
    addReconciler(life, deps);
    addMaintenance(life, deps);
  }
}

function addImportWorker(life: Lifecycle, deps: WorkerDeps): void {
  const logger = deps.logger.child({ module: 'subscriptions' });
  const processor = deps.subscriptions.importProcessor;
  addWorker(life, { config: deps.config, logger, queue: IMPORT_QUEUE, processor: importJobProcessor(processor), options: { concurrency: 1 }, watch: (worker) => watchImportWorker(worker, processor, logger) });
}

/** Deliveries to the application's endpoints, the sweep that re-adds deliveries whose job Redis lost, and the outbox sweep. */
function addWebhookWorker(life: Lifecycle, deps: WorkerDeps): void {
  const { config } = deps;
  const { repository, lanes, jobs, queue, metrics, logger, outbox } = deps.webhooks.delivery;
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
    processor: webhookJobProcessor({ deliver, sweep, outbox }),
    options: { concurrency: config.webhooks.concurrency },
    watch: (worker) => watchWebhookWorker(worker, logger),
    stoppedEvent: 'webhooks.worker_stopped',
  });
  life.onStart(() => queue.upsertJobScheduler(WEBHOOK_SWEEP_JOB, { every: SWEEP_EVERY_MS }, { name: WEBHOOK_SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } }));
  life.onStart(() => queue.upsertJobScheduler(WEBHOOK_OUTBOX_JOB, { every: OUTBOX_EVERY_MS }, { name: WEBHOOK_OUTBOX_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } }));
}

function addFeedbackWorker(life: Lifecycle, deps: WorkerDeps): void {
  const { config } = deps;
  const logger = deps.logger.child({ module: 'feedback' });
  const store = deps.subscriptions.store;
  const applier = new ApplyFeedback({
    feedback: deps.feedback.repository,
    messages: deps.messages.repository,
    store,
    erasures: store.erasures,
    softBounceLimit: config.feedback.softBounceLimit,
    softBounceWindowDays: config.feedback.softBounceWindowDays,
    logger,
    events: deps.webhooks.sink,
    ...(deps.reputation ? { reputation: deps.reputation.counters } : {}),
  });
  const reconciler = new FeedbackReconciler({ feedback: deps.feedback.repository, queue: deps.feedback.queue, logger, graceMs: config.reconcile.graceMs });
  addWorker(life, {
    config,
    logger,
    queue: FEEDBACK_QUEUE,
    processor: withFeedbackReconcile(feedbackJobProcessor(applier), reconciler, logger),
    options: { concurrency: 5, settings: feedbackWorkerSettings },
    watch: (worker) => watchFeedbackWorker(worker, logger),
  });
  // Re-adds the jobs of stored feedback that Redis lost (a failover): on the reconciler's interval and grace.
  addSchedule(life, { config, logger, queue: FEEDBACK_QUEUE, job: FEEDBACK_RECONCILE_JOB, everyMs: config.reconcile.intervalMs, event: 'feedback.queue_error' });
}

/**
 * A BullMQ Worker per stream, each with its own connection, concurrency, relay and identity, so a
 * marketing backlog never takes a transactional slot (docs/rules.md §12). Each stream's relay sits
 * behind its pace (PacedTransport); each process writes the stream's limiter into its queue.
 */
function addSendWorkers(life: Lifecycle, deps: WorkerDeps, only: readonly string[] | undefined): void {
  const { config, logger } = deps;
  checkServedStreams(config, only);
  const metrics = createStreamMetrics(deps.metrics);
  // Only with a cap configured: without one the send path makes no call for it (docs/rules.md §13).
  const caps = config.frequencyCap;
  const capped = caps ? createFrequencyCapMetric(deps.metrics) : undefined;
  // Built once per process: the relay state every process and the console read, and its counters.
  const failover = { state: new RedisRelayState({ redis: deps.redis, prefix: config.queuePrefix }), metrics: createRelayMetrics(deps.metrics) };
  const gate = deps.reputation?.gate(deps.messages.queues);
  for (const stream of config.streams.filter((s) => only === undefined || only.includes(s.name))) {
    const log = logger.child({ stream: stream.name });
    const queue = deps.messages.queues.get(stream.name)!;
    const relay = deps.transport ?? streamTransport(stream, { config, logger: log, tags: deps.messageTags, failover });
    const sender = new MessageSender({
      messages: deps.messages.repository,
      store: deps.sendTimeStore ?? deps.subscriptions.store,
      renderer: deps.renderer,
      transport: new PacedTransport(relay, streamPace(stream, { config, redis: deps.redis })),
      config: { consentMode: config.consentMode, mailFrom: stream.mailFrom },
      ...(caps && capped ? { frequencyCap: new FrequencyCap({ redis: deps.redis, prefix: config.queuePrefix, secret: config.secrets[0]!, caps, stream: stream.name, capped }) } : {}),
      outcomes: deps.messages.outcomes,
      metrics: deps.messages.metrics,
      logger: log,
      ...(gate ? { guard: { holdMarketing: (jobId: string) => gate.holdMarketing(stream.name, jobId) } } : {}),
    });
    life.onStart(() => applyQueueLimiter(queue, stream));
    addWorker(life, {
      config,
      logger: log,
      queue: sendQueueName(stream.name),
      processor: sendJobProcessor(sender, { name: stream.name, pause: (ms) => queue.rateLimit(ms), metrics, logger: log }),
      options: sendWorkerOptions({ concurrency: stream.concurrency, retry: config.sendRetry }),
      watch: (worker) => watchSendWorker(worker, log),
      alsoClose: relay,
      stoppedEvent: 'delivery.worker_stopped',
    });
    life.onStart(async () => log.info({ event: 'delivery.worker_started', concurrency: stream.concurrency, rate: stream.rate }, `send worker of stream ${stream.name} started`));
  }
}

/** A `--stream` that STREAMS does not name stops start-up (createApp checks it before connecting, addSendWorkers again). */
export function checkServedStreams(config: Config, only: readonly string[] | undefined): void {
  const unknown = only?.find((name) => !config.streams.some((s) => s.name === name));
  if (unknown !== undefined) throw new ConfigError(`invalid configuration: --stream: "${unknown}" is not in STREAMS (${config.streams.map((s) => s.name).join(', ')})`);
}

/** Moves what an upgrade left on the single pre-stream send queue to its message's stream queue (messages/legacy-send-jobs.ts). */
function addLegacySendMover(life: Lifecycle, deps: WorkerDeps): void {
  const logger = deps.logger.child({ module: 'delivery' });
  addWorker(life, {
    config: deps.config,
    logger,
    queue: LEGACY_SEND_QUEUE,
    processor: legacySendJobProcessor({ messages: deps.messages.repository, jobs: deps.messages.jobs, logger }),
    // The old jobs carry the send backoff type: their retries need its strategy.
    options: { concurrency: 5, settings: sendRetrySettings(deps.config.sendRetry) },
    watch: (worker) => worker.on('error', (err) => logger.error({ event: 'delivery.legacy_worker_error', err: err.message })),
    stoppedEvent: 'delivery.legacy_worker_stopped',
  });
}

/**
 * The reconciler of orphaned messages, on a small queue of its own: every RECONCILE_INTERVAL_MS. A
 * run that fails (the database still away) waits for the next tick.
 */
function addReconciler(life: Lifecycle, deps: WorkerDeps): void {
  const { config } = deps;
  const logger = deps.logger.child({ module: 'reconcile' });
  const reconciler = new MessageReconciler({
    messages: deps.messages.repository,
    jobs: deps.messages.jobs,
    outcomes: deps.messages.outcomes,
    logger,
    graceMs: config.reconcile.graceMs,
  });
  addWorker<unknown, ReconcileReport>(life, {
    config,
    logger,
    queue: RECONCILE_QUEUE,
    processor: () => reconciler.run(),
    options: { concurrency: 1 },
    watch: (worker: Worker<unknown, ReconcileReport>) => {
      worker.on('error', (err) => logger.error({ event: 'reconcile.worker_error', err: err.message }));
      worker.on('failed', (_job, err) => logger.warn({ event: 'reconcile.run_failed', err }));
    },
    stoppedEvent: 'reconcile.worker_stopped',
  });
  // Retention once ran on this queue as a 'retention' job; its schedule goes (maintenance.ts runs it now).
  addSchedule(life, { config, logger, queue: RECONCILE_QUEUE, job: RECONCILE_JOB, everyMs: config.reconcile.intervalMs, event: 'reconcile.queue_error', removeJobs: ['retention'] });
}
