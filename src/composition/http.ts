import type { Express, Router } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Registry } from 'prom-client';
import pkg from '../../package.json' with { type: 'json' };
import type { Config } from '../config.ts';
import { feedbackApiDoc } from '../feedback/index.ts';
import { buildApiReference, type ApiReference } from '../http/api-reference.ts';
import { createHttpApp, createMetricsApp } from '../http/server.ts';
import { messageApiDoc } from '../messages/index.ts';
import { privacyApiDoc } from '../privacy/index.ts';
import { reputationApiDoc } from '../reputation/index.ts';
import { checkHealth } from '../shared/health.ts';
import type { Logger } from '../shared/logger.ts';
import { IMPORT_PATH, subscriptionApiDoc } from '../subscriptions/index.ts';
import { authoringApiDoc, templatesApiDoc } from '../templates/index.ts';
import { webhookApiDoc } from '../webhooks/index.ts';
import { Listeners } from './listeners.ts';

/**
 * The API reference served at GET /v1/openapi.json: one section per domain, each documented next to
 * its routes (`<domain>/*-api-doc.ts`). A new domain with /v1 routes adds its section here.
 */
export function apiReference(): ApiReference {
  return buildApiReference({
    title: 'mailgate API',
    version: pkg.version,
    description: 'The /v1 HTTP API of mailgate, generated from the zod schemas its routes validate with. Errors: `{"error": {"code", "message", "details"}}`.',
    sections: [messageApiDoc, subscriptionApiDoc, templatesApiDoc, authoringApiDoc, feedbackApiDoc, privacyApiDoc, webhookApiDoc, reputationApiDoc],
  });
}

export interface Serving {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Base URL of the separate METRICS_PORT listener, when configured. */
  metricsUrl: string | undefined;
  http: Express;
}

export interface Http {
  /** Listens on PORT (and METRICS_PORT): the process is reachable from here on. */
  listen(): Promise<Serving>;
  /** Stops listening; the first thing a closing process does, before its workers and connections. */
  close(): Promise<void>;
}

/**
 * The HTTP side of an api-role process: the /v1 routers behind the API key, the public routers
 * (recipient pages, the relays' receivers, the console) without it, health, metrics and the API
 * reference. The reference is built here, once: a broken schema stops start-up.
 */
export function buildHttp(deps: { config: Config; logger: Logger; metrics: Registry; db: Connection; redis: RedisClient; apiRouters: Router[]; publicRouters: Router[] }): Http {
  const { config, logger, metrics } = deps;
  const reference = apiReference();
  const listeners = new Listeners();
  return {
    async listen() {
      const http = createHttpApp({
        logger,
        apiKey: config.apiKey,
        metricsToken: config.metrics.token,
        trustProxy: config.trustProxy,
        metrics,
        health: () => checkHealth(deps.db, deps.redis),
        apiRouters: deps.apiRouters,
        publicRouters: deps.publicRouters,
        apiReference: reference,
        rawBodyPaths: (path) => path === IMPORT_PATH,
      });
      const port = await listeners.listen(http, config.port, '0.0.0.0');
      logger.info({ event: 'http.listening', port }, `mailgate API listening on port ${port}`);
      let metricsUrl: string | undefined;
      if (config.metrics.port !== undefined) {
        const { host } = config.metrics;
        const metricsPort = await listeners.listen(createMetricsApp({ logger, metrics }), config.metrics.port, host);
        metricsUrl = `http://${host.includes(':') ? `[${host}]` : host}:${metricsPort}`;
        logger.info({ event: 'metrics.listening', host, port: metricsPort }, `metrics listening on ${host}:${metricsPort}`);
      }
      return { url: `http://127.0.0.1:${port}`, metricsUrl, http };
    },
    close: () => listeners.close(),
  };
}
