import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { connectMongo } from './shared/mongo.ts';
import { createRedis } from './shared/redis.ts';
import { createMetricsRegistry } from './shared/metrics.ts';
import { checkHealth } from './shared/health.ts';
import { createHttpApp } from './http/server.ts';
import { TokenService } from './preferences/tokens.ts';
import { SubscriptionCatalog } from './subscriptions/catalog.ts';
import { createTemplatesModule, type TemplatesModule } from './templates/index.ts';
import { createSubscriptionsModule, type SubscriptionsModule } from './subscriptions/index.ts';
import { createMessagesModule, type MessagesModule } from './messages/index.ts';
import { createPreferencesModule, type PreferencesModule } from './preferences/index.ts';

export interface Roles {
  api: boolean;
  worker: boolean;
}

/** What every domain is built from. Built once here; nothing else opens connections. */
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
}

interface Closable {
  close(): Promise<unknown>;
}

export interface App {
  ctx: AppContext;
  /** Base URL of the HTTP server once started (api role only). */
  url: string | undefined;
  /** Compiled templates: `templates.renderer.render(...)` per message. */
  templates?: TemplatesModule;
  /** Subscription state, consent events, operator API, import/export. */
  subscriptions?: SubscriptionsModule;
  /** Enqueue (`messages.enqueue(...)`), status, send queue and worker. */
  messages?: MessagesModule;
  /** Recipient pages: preference page, one-click unsubscribe, re-subscribe form. */
  preferences?: PreferencesModule;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The composition root: builds every dependency once, wires the domains, and knows how to close
 * them in order (HTTP first, then workers, then queues, then connections).
 */
export async function createApp(config: Config, roles: Roles, logger: Logger = createLogger(config.logLevel)): Promise<App> {
  const catalog = SubscriptionCatalog.load(config.templatesDir); // a bad catalog stops start-up here
  if (config.usingDevSecret) logger.warn({ event: 'config.dev_secret' }, 'MAILGATE_SECRET is not set: using the development secret');
  const db = await connectMongo(config.mongoUrl);
  const redis = createRedis(config.redisUrl, 'client');
  redis.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  const metrics = createMetricsRegistry(true);
  const ctx: AppContext = { config, logger, db, redis, metrics, tokens: new TokenService(config.secrets), catalog };

  const apiRouters: Router[] = [];
  const publicRouters: Router[] = [];
  const closables: Closable[] = []; // closed in reverse order of registration
  const starters: (() => Promise<void>)[] = [];
  const rawBodyPaths: string[] = [];

  // --- domains are wired below, in dependency order. Each module file exports one builder. ---
  // [subscriptions] state, consent events, operator API, import/export (src/subscriptions/index.ts)
  const subscriptions = await createSubscriptionsModule(ctx, roles);
  if (subscriptions.apiRouter) apiRouters.push(subscriptions.apiRouter);
  rawBodyPaths.push(...subscriptions.rawBodyPaths);
  starters.push(() => subscriptions.start());
  closables.push(subscriptions);
  // [templates] compiled MJML, footer, headers, GET /v1/templates (src/templates/index.ts)
  const templates = await createTemplatesModule(ctx, roles);
  if (templates.apiRouter) apiRouters.push(templates.apiRouter);
  // [messages] enqueue, status, send worker (src/messages/index.ts, src/delivery/index.ts)
  const messages = createMessagesModule(ctx, roles, { store: subscriptions.store, renderer: templates.renderer });
  if (messages.apiRouter) apiRouters.push(messages.apiRouter);
  starters.push(() => messages.start());
  closables.push(messages);
  // [preferences] preference page, one-click unsubscribe, re-subscribe form (src/preferences/index.ts)
  const preferences = createPreferencesModule(ctx, roles, { store: subscriptions.store, enqueue: (input) => messages.enqueue(input) });
  if (preferences.publicRouter) publicRouters.push(preferences.publicRouter);
  starters.push(() => preferences.start());
  closables.push(preferences);

  let server: Server | undefined;
  const app: App = {
    ctx,
    subscriptions,
    url: undefined,
    templates,
    messages,
    preferences,
    async start() {
      for (const start of starters) await start();
      if (roles.api) {
        const http = createHttpApp({
          logger,
          apiKey: config.apiKey,
          metrics,
          health: () => checkHealth(db, redis),
          apiRouters,
          publicRouters,
          rawBodyPaths: (path) => rawBodyPaths.includes(path),
        });
        await new Promise<void>((resolve, reject) => {
          server = http.listen(config.port, '0.0.0.0', () => resolve());
          server.once('error', reject);
        });
        const { port } = server!.address() as AddressInfo;
        app.url = `http://127.0.0.1:${port}`;
        logger.info({ event: 'http.listening', port }, `mailgate API listening on port ${port}`);
      }
      logger.info({ event: 'app.started', roles }, 'mailgate started');
    },
    async close() {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
      }
      for (const closable of [...closables].reverse()) {
        await closable.close().catch((err: unknown) => logger.warn({ event: 'app.close_error', err }));
      }
      redis.disconnect();
      await db.close();
    },
  };
  return app;
}
