import { Queue } from 'bullmq';
import { Router, type Express } from 'express';
import type { Connection } from 'mongoose';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { connectMongo, readShapeOf } from './shared/mongo.ts';
import { createRedis } from './shared/redis.ts';
import { createMetricsRegistry } from './shared/metrics.ts';
import { checkHealth } from './shared/health.ts';
import { FEEDBACK_QUEUE, IMPORT_QUEUE, SEND_QUEUE } from './shared/queues.ts';
import type { Roles } from './shared/roles.ts';
import { createHttpApp, createMetricsApp } from './http/server.ts';
import {
  DEFAULT_IMPORT_MAX_BYTES,
  IMPORT_PATH,
  ImportProcessor,
  MongoSubscriptionStore,
  SubscriptionCatalog,
  SuppressionList,
  importChunkModel,
  importJobModel,
  importJobOptions,
  importRoutes,
  operatorRoutes,
  suppressionRoutes,
  type ImportJobPayload,
  type SubscriptionStore,
} from './subscriptions/index.ts';
import { TemplateLoadError, createTemplatesRouter, loadTemplates, type TemplateRenderer } from './templates/index.ts';
import {
  MessageEnqueuer,
  MessageRepository,
  SendJobs,
  createMessageMetrics,
  getMessageStatus,
  messageRoutes,
  type BatchResult,
  type EnqueueOptions,
  type EnqueueResult,
  type MessageInput,
  type MessageView,
  type SendJobData,
  type TestMessageInput,
} from './messages/index.ts';
import type { MailTransport } from './delivery/index.ts';
import {
  CsrfGuard,
  TokenService,
  createRecipientRouter,
  formRateLimits,
  DEFAULT_FORM_LIMITS,
  prepareUsedTokens,
  recipientActionsCounter,
  resolveFormTypes,
  SubscriptionForms,
  usedTokenModel,
} from './preferences/index.ts';
import { FeedbackRepository, ReceiveFeedback, ReceiveReportMail, createFeedbackMetrics, genericFeedbackRoutes, type FeedbackJobData, type HttpsFetchOptions } from './feedback/index.ts';
import { MessageTags } from './shared/message-tag.ts';
import { buildConsole } from './composition/console.ts';
import { privacyRoutes } from './privacy/index.ts';
import { buildErasures } from './composition/privacy.ts';
import { Lifecycle, bullConnection } from './composition/lifecycle.ts';
import { addWorkers } from './composition/workers.ts';
import { addFeedbackSmtp, buildRelayReceivers } from './composition/feedback.ts';
import { buildWebhooks } from './composition/webhooks.ts';
import { Listeners } from './composition/listeners.ts';
import { apiReference } from './composition/api-reference.ts';

export type { Roles } from './shared/roles.ts';

/** What the app is built from; exposed for tests, drills and the bench. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Connection;
  /** Fail-fast connection for request paths and producers. */
  redis: Redis;
  metrics: Registry;
  /** Signs and verifies the tokens in email links. */
  tokens: TokenService;
  /** Subscription types from templates/subscription-types.json (validated at start-up). */
  catalog: SubscriptionCatalog;
  /** The keyed tag of every message's VERP address and Message-ID (shared/message-tag.ts). */
  messageTags: MessageTags;
}

export interface App {
  ctx: AppContext;
  /** Base URL of the HTTP server once started (api role only). */
  url: string | undefined;
  /** Port of the inbound feedback SMTP listener once started (feedbackSmtp role, FEEDBACK_SMTP_PORT set). */
  feedbackSmtpPort: number | undefined;
  /** Base URL of the separate METRICS_PORT listener once started (api role, METRICS_PORT set). */
  metricsUrl: string | undefined;
  /** The HTTP handler once started (api role): what it serves, e.g. for the API reference's coverage test. */
  http: Express | undefined;
  templates: { renderer: TemplateRenderer };
  subscriptions: { store: MongoSubscriptionStore };
  messages: {
    enqueue(input: MessageInput, options?: EnqueueOptions): Promise<EnqueueResult>;
    enqueueBatch(items: unknown[]): Promise<BatchResult>;
    getStatus(id: string): Promise<MessageView>;
    repository: MessageRepository;
    queue: Queue<SendJobData>;
  };
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the configured ones (the bench's null check; a test's transport). */
export interface AppOverrides {
  /** The store the send-time check reads; the real one otherwise. */
  sendTimeStore?: SubscriptionStore;
  transport?: MailTransport;
  /** How the SNS certificate and SubscribeURL are fetched (a resolver, extra trusted CAs); verification is the same. */
  snsHttps?: HttpsFetchOptions;
  /** The clock console sessions are timed by (their absolute lifetime); Date.now otherwise. */
  consoleClock?: () => number;
}

/**
 * The composition root: the one place that opens connections, builds queues, workers, the
 * transport, stores, guards and counters, and hands each use case its deps. It knows the order to
 * close them in: HTTP first, then workers, then queues, then connections.
 */
export async function createApp(config: Config, roles: Roles, logger: Logger = createLogger(config.logLevel), overrides: AppOverrides = {}): Promise<App> {
  const catalog = SubscriptionCatalog.load(config.templatesDir); // a bad catalog stops start-up here
  const formTypes = resolveFormTypes(catalog, config.subscribeFormTypes); // and so does a bad SUBSCRIBE_FORM_TYPES
  if (config.usingDevSecret) logger.warn({ event: 'config.dev_secret' }, 'MAILGATE_SECRET is not set: using the development secret');
  const db = await connectMongo(config.mongoUrl);
  const readShape = config.mongoReadShape === 'auto' ? await readShapeOf(db) : config.mongoReadShape; // how repositories read many documents by _id
  const redis = createRedis(config.redisUrl, 'client');
  redis.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  const metrics = createMetricsRegistry(true);
  const tokens = new TokenService(config.secrets);
  // The keyed tag in every message's VERP address and Message-ID: what bounce mail must prove (PRODUCT.md §6)
  const messageTags = new MessageTags(config.secrets);
  const ctx: AppContext = { config, logger, db, redis, metrics, tokens, catalog, messageTags };
  const prefix = config.queuePrefix;
  const life = new Lifecycle();

  // [webhooks] the sink every domain emits into, the endpoints API, the delivery worker (composition/webhooks.ts)
  const webhooks = buildWebhooks(life, { config, logger, db, redis, metrics });

  // [subscriptions] state, consent events, operator API, import/export
  const subsLogger = logger.child({ module: 'subscriptions' });
  // The erasure records (privacy domain): the store asks them about addresses without a state (PRODUCT.md §10)
  const erased = buildErasures(life, { config, logger: logger.child({ module: 'privacy' }), db });
  const store = new MongoSubscriptionStore({ db, catalog, logger: subsLogger, erased, events: webhooks.sink, readShape });
  const importJobs = importJobModel(db);
  const importChunks = importChunkModel(db);
  const importProcessor = new ImportProcessor({ store, jobs: importJobs, chunks: importChunks, catalog, logger: subsLogger });
  life.onStart(() => Promise.all([store.ensureIndexes(), importJobs.createIndexes(), importChunks.createIndexes()]).then(() => undefined));

  // [templates] compiled once; a broken template stops start-up, naming the file
  // (the checker's findings are kept for the console's templates section)
  const { registry: renderer, problems: templateProblems } = await loadTemplates({ dir: config.templatesDir, catalog, tokens, publicUrl: config.publicUrl, postalAddress: config.postalAddress });
  if (templateProblems.length > 0) throw new TemplateLoadError(templateProblems);
  logger.info({ event: 'templates.loaded', count: renderer.list().length }, `templates compiled: ${renderer.list().map((t) => t.name).join(', ')}`);

  // [messages] records, send jobs, enqueue, status
  const repository = new MessageRepository({ db, readShape });
  const sendQueue = new Queue<SendJobData>(SEND_QUEUE, { connection: bullConnection(redis), prefix });
  sendQueue.on('error', (err) => logger.debug({ event: 'messages.queue_error', err: err.message }));
  life.onClose(sendQueue);
  const messageMetrics = createMessageMetrics(metrics, sendQueue);
  // Known to be down (lost and reconnecting, or closed): answer 503 at once. Still connecting: try.
  const sendJobs = new SendJobs({ queue: sendQueue, ready: () => !['reconnecting', 'close', 'end'].includes(redis.status), attempts: config.sendRetry.attempts });
  const enqueuer = new MessageEnqueuer({ messages: repository, jobs: sendJobs, renderer, catalog, logger, metrics: messageMetrics });
  life.onStart(() => repository.ensureIndexes());

  // [feedback] relay feedback: stored once by the receivers, applied by the feedback worker
  const feedbackLogger = logger.child({ module: 'feedback' });
  const feedbackRepo = new FeedbackRepository({ db, erasures: store.erasures });
  const feedbackQueue = new Queue<FeedbackJobData>(FEEDBACK_QUEUE, { connection: bullConnection(redis), prefix });
  feedbackQueue.on('error', (err) => feedbackLogger.debug({ event: 'feedback.queue_error', err: err.message }));
  life.onClose(feedbackQueue);
  const feedbackMetrics = createFeedbackMetrics(metrics);
  const receiveFeedback = new ReceiveFeedback({ feedback: feedbackRepo, queue: feedbackQueue, metrics: feedbackMetrics, logger: feedbackLogger });
  life.onStart(() => feedbackRepo.ensureIndexes().then(() => undefined));

  const apiRouter = Router();
  const publicRouters: Router[] = [];
  const reference = roles.api ? apiReference() : undefined; // built once; a broken schema stops start-up
  if (roles.api) {
    const importQueue = new Queue<ImportJobPayload, void, 'import'>(IMPORT_QUEUE, { connection: bullConnection(redis), prefix, defaultJobOptions: importJobOptions });
    importQueue.on('error', (err) => subsLogger.warn({ event: 'import.queue_error', err: err.message }));
    life.onClose(importQueue);
    apiRouter.use(operatorRoutes({ store, catalog }));
    apiRouter.use(importRoutes({ jobs: importJobs, chunks: importChunks, queue: importQueue, logger: subsLogger, maxBytes: DEFAULT_IMPORT_MAX_BYTES }));
    apiRouter.use(createTemplatesRouter({ registry: renderer }));
    apiRouter.use(messageRoutes({ enqueuer, messages: repository }));
    apiRouter.use(suppressionRoutes({ list: new SuppressionList({ states: store.states }), store, catalog }));
    apiRouter.use(genericFeedbackRoutes({ receive: receiveFeedback }));
    apiRouter.use(webhooks.routes());
    apiRouter.use(
      privacyRoutes({
        store,
        catalog,
        messages: repository,
        feedback: feedbackRepo,
        erased,
        webhooks: webhooks.repository,
        logger: logger.child({ module: 'privacy' }),
        events: webhooks.sink,
        alsoErase: [(address) => webhooks.repository.deleteForAddress(address)],
      }),
    );
    publicRouters.push(buildRelayReceivers({ config, redis, logger: feedbackLogger, receive: receiveFeedback, metrics: feedbackMetrics, snsHttps: overrides.snsHttps ?? {} }));

    // [preferences] preference page, one-click unsubscribe, re-subscribe form
    const prefsLogger = logger.child({ module: 'preferences' });
    const usedTokens = usedTokenModel(db);
    life.onStart(() => prepareUsedTokens(usedTokens));
    const forms = new SubscriptionForms({ db, catalog, logger: prefsLogger });
    life.onStart(() => forms.ensureIndexes());
    publicRouters.push(
      createRecipientRouter({
        logger: prefsLogger,
        config,
        tokens,
        catalog,
        formTypes,
        forms,
        store,
        enqueue: (input) => enqueuer.enqueue(input),
        usedTokens,
        csrf: new CsrfGuard({ secrets: config.secrets }),
        actions: recipientActionsCounter(metrics),
        limits: formRateLimits({ redis, prefix, logger: prefsLogger, limits: DEFAULT_FORM_LIMITS }),
      }),
    );

    // [console] operator pages (src/composition/console.ts)
    const templatesSection = { renderer, problems: templateProblems, sendTest: (input: TestMessageInput) => enqueuer.enqueueTest(input) };
    publicRouters.push(buildConsole(life, { config, logger, db, redis, metrics, store, catalog, messages: repository, sendQueue, forms, templates: templatesSection, ...(overrides.consoleClock ? { clock: overrides.consoleClock } : {}) }));
  }

  if (roles.worker) {
    const { sendTimeStore, transport } = overrides;
    addWorkers(
      life,
      { config, logger, store, importProcessor, messages: repository, messageMetrics, sendJobs, renderer, feedback: feedbackRepo, webhooks, messageTags, ...(sendTimeStore ? { sendTimeStore } : {}), ...(transport ? { transport } : {}) },
      roles.queues,
    );
  }
  if (roles.feedbackSmtp) {
    const reports = new ReceiveReportMail({
      receive: receiveFeedback,
      feedback: feedbackRepo,
      messages: repository,
      tags: messageTags,
      metrics: feedbackMetrics,
      logger: feedbackLogger,
      bounceDomain: config.feedback.bounceDomain,
      complaintAddress: config.feedback.complaintAddress,
    });
    addFeedbackSmtp(life, { config, logger: feedbackLogger, reports, metrics: feedbackMetrics, onPort: (port) => (app.feedbackSmtpPort = port) });
  }

  const listeners = new Listeners();
  const app: App = {
    ctx,
    url: undefined,
    feedbackSmtpPort: undefined,
    metricsUrl: undefined,
    http: undefined,
    templates: { renderer },
    subscriptions: { store },
    messages: {
      enqueue: (input, options) => enqueuer.enqueue(input, options),
      enqueueBatch: (items) => enqueuer.enqueueBatch(items),
      getStatus: (id) => getMessageStatus(repository, id),
      repository,
      queue: sendQueue,
    },
    async start() {
      await life.start();
      if (roles.api) {
        const http = createHttpApp({
          logger,
          apiKey: config.apiKey,
          metricsToken: config.metrics.token,
          trustProxy: config.trustProxy,
          metrics,
          health: () => checkHealth(db, redis),
          apiRouters: [apiRouter],
          publicRouters,
          ...(reference ? { apiReference: reference } : {}),
          rawBodyPaths: (path) => path === IMPORT_PATH,
        });
        app.http = http;
        const port = await listeners.listen(http, config.port, '0.0.0.0');
        app.url = `http://127.0.0.1:${port}`;
        logger.info({ event: 'http.listening', port }, `mailgate API listening on port ${port}`);
        if (config.metrics.port !== undefined) {
          const { host } = config.metrics;
          const metricsPort = await listeners.listen(createMetricsApp({ logger, metrics }), config.metrics.port, host);
          app.metricsUrl = `http://${host.includes(':') ? `[${host}]` : host}:${metricsPort}`;
          logger.info({ event: 'metrics.listening', host, port: metricsPort }, `metrics listening on ${host}:${metricsPort}`);
        }
      }
      logger.info({ event: 'app.started', roles }, 'mailgate started');
    },
    async close() {
      await listeners.close();
      await life.close(logger);
      redis.disconnect();
      await db.close();
    },
  };
  return app;
}
