import { Router } from 'express';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { MessageTags } from './shared/message-tag.ts';
import type { Roles } from './shared/roles.ts';
import { getMessageStatus } from './messages/index.ts';
import { TokenService, resolveFormTypes } from './preferences/index.ts';
import { SubscriptionCatalog } from './subscriptions/index.ts';
import type { App, AppContext, AppOverrides } from './composition/app-shape.ts';
import { openConnections } from './composition/connections.ts';
import { Lifecycle } from './composition/lifecycle.ts';
import { buildWebhooks } from './composition/webhooks.ts';
import { buildPrivacy } from './composition/privacy.ts';
import { buildSubscriptions } from './composition/subscriptions.ts';
import { buildTemplates } from './composition/templates.ts';
import { buildMessages, checkFrequencyCapTypes, checkStreamTypes } from './composition/messages.ts';
import { buildFeedback } from './composition/feedback.ts';
import { buildReputation } from './composition/reputation.ts';
import { buildRecipientPages } from './composition/preferences.ts';
import { buildConsole } from './composition/console.ts';
import { streamStatuses } from './composition/streams.ts';
import { addWorkers, checkServedStreams } from './composition/workers.ts';
import { buildHttp, type Http } from './composition/http.ts';

export type { App, AppContext, AppOverrides } from './composition/app-shape.ts';
export type { Roles } from './shared/roles.ts';

/**
 * The composition root: the one place that opens connections and builds each domain, in the order
 * they depend on each other. Each `composition/<domain>.ts` returns a small bundle; this file only
 * says which bundle gets which. Closing goes the other way: HTTP first, then workers, queues and
 * connections.
 */
export async function createApp(config: Config, roles: Roles, logger: Logger = createLogger(config.logLevel), overrides: AppOverrides = {}): Promise<App> {
  const catalog = SubscriptionCatalog.load(config.templatesDir); // a bad catalog stops start-up here
  const formTypes = resolveFormTypes(catalog, config.subscribeFormTypes); // and so does a bad SUBSCRIBE_FORM_TYPES
  checkStreamTypes(config, catalog); // and a type STREAM_<NAME>_TYPES names that the catalog lacks
  checkFrequencyCapTypes(config, catalog); // and a type FREQUENCY_CAP_TYPES names that the catalog lacks
  checkServedStreams(config, roles.streams); // and a --stream that STREAMS does not name
  if (config.usingDevSecret) logger.warn({ event: 'config.dev_secret' }, 'MAILGATE_SECRET is not set: using the development secret');
  const life = new Lifecycle();
  const { db, readShape, redis, metrics } = await openConnections(config, logger);
  const tokens = new TokenService(config.secrets);
  const messageTags = new MessageTags(config.secrets); // what bounce mail must prove (docs/feedback.md)
  const ctx: AppContext = { config, logger, db, redis, metrics, tokens, catalog, messageTags };

  const webhooks = buildWebhooks(life, { ...ctx, ...(overrides.webhookRepository ? { wrapRepository: overrides.webhookRepository } : {}) }); // the sink every domain emits into
  const privacy = buildPrivacy(life, ctx);
  const subscriptions = buildSubscriptions(life, { ...ctx, readShape, erased: privacy.erased, events: webhooks.sink });
  const store = subscriptions.store;
  const templates = await buildTemplates(life, ctx);
  const reputation = buildReputation(life, { ...ctx, events: webhooks.sink }); // counts what messages and feedback tell it
  const messages = buildMessages(life, { ...ctx, readShape, renderer: templates.renderer, events: webhooks.sink, reputation: reputation.counters });
  const feedback = buildFeedback(life, { ...ctx, erasures: store.erasures, messages: messages.repository, tags: messageTags });

  let http: Http | undefined;
  if (roles.api) {
    const pages = buildRecipientPages(life, { ...ctx, formTypes, store, enqueuer: messages.enqueuer });
    const operatorConsole = buildConsole(life, {
      ...ctx,
      store,
      messages: messages.repository,
      sendQueues: messages.queues,
      streams: streamStatuses({ config, redis, queues: messages.queues }),
      forms: pages.forms,
      templates: { renderer: templates.files, problems: templates.problems, sendTest: (input) => messages.enqueuer.enqueueTest(input), authoring: templates.authoring },
      ...(overrides.consoleClock ? { clock: overrides.consoleClock } : {}),
      reputation: reputation.service,
    });
    const privacyRoutes = privacy.routes({
      store,
      catalog,
      messages: messages.repository,
      feedback: feedback.repository,
      webhooks: webhooks.repository,
      events: webhooks.sink,
      alsoErase: [(address) => webhooks.repository.deleteForAddress(address)],
    });
    const api = Router().use(subscriptions.routes(), templates.routes(), messages.routes(), feedback.apiRoutes(), webhooks.routes(), privacyRoutes, reputation.routes());
    http = buildHttp({ ...ctx, apiRouters: [api], publicRouters: [feedback.relayRoutes(overrides.snsHttps ?? {}), pages.router, operatorConsole] });
  }
  if (roles.worker) {
    const { sendTimeStore, transport } = overrides;
    const workerDeps = { config, logger, redis, metrics, subscriptions, messages, feedback, webhooks, reputation, renderer: templates.renderer, messageTags };
    addWorkers(life, { ...workerDeps, ...(sendTimeStore ? { sendTimeStore } : {}), ...(transport ? { transport } : {}) }, roles.queues, roles.streams);
  }
  if (roles.feedbackSmtp) feedback.listen((port) => (app.feedbackSmtpPort = port));

  const app: App = {
    ctx,
    url: undefined,
    feedbackSmtpPort: undefined,
    metricsUrl: undefined,
    http: undefined,
    templates: { renderer: templates.renderer, authoring: templates.authoring },
    subscriptions: { store },
    reputation: reputation.service,
    messages: {
      enqueue: (input, options) => messages.enqueuer.enqueue(input, options),
      enqueueBatch: (items) => messages.enqueuer.enqueueBatch(items),
      getStatus: (id) => getMessageStatus(messages.repository, id),
      repository: messages.repository,
      queues: messages.queues,
      legacyQueue: messages.legacyQueue,
    },
    async start() {
      await life.start();
      if (http) Object.assign(app, await http.listen());
      logger.info({ event: 'app.started', roles }, 'mailgate started');
    },
    async close() {
      await http?.close();
      await life.close(logger);
      redis.disconnect();
      await db.close();
    },
  };
  return app;
}
