import express, { type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger.ts';
import type { Health } from '../shared/health.ts';
import { errorMiddleware, notFoundHandler } from './error-middleware.ts';
import { requireJson, rejectOperators } from './body-guards.ts';
import { requireApiKey, requireMetricsKey } from './auth.ts';
import type { TrustProxy } from '../config.ts';
import { API_REFERENCE_PATH, type ApiReference } from './api-reference.ts';

export interface HttpDeps {
  logger: Logger;
  apiKey: string | undefined;
  /** A second bearer key that may read /metrics (and nothing else). */
  metricsToken: string | undefined;
  /** Express's 'trust proxy': whose X-Forwarded-For decides req.ip. */
  trustProxy: TrustProxy;
  metrics: Registry;
  health: () => Promise<Health>;
  /** Routers mounted under /v1, behind the API key. */
  apiRouters: Router[];
  /** Public routers (recipient pages), mounted at the root without the API key. */
  publicRouters: Router[];
  /** The API reference, built once at start-up (src/http/api-reference.ts); served without the key. */
  apiReference?: ApiReference;
  /** /v1 paths whose bodies are not JSON (e.g. CSV import). */
  rawBodyPaths?: (path: string) => boolean;
  jsonLimit?: string;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);

  app.get('/healthz', async (_req, res) => {
    const health = await deps.health();
    res.status(health.mongo === 'up' && health.redis === 'up' ? 200 : 503).json(health);
  });
  app.get('/metrics', requireMetricsKey(deps.apiKey, deps.metricsToken), serveMetrics(deps.metrics));

  if (deps.apiReference) {
    // Serialized once: the document never changes while the process runs.
    const body = JSON.stringify(deps.apiReference);
    app.get(API_REFERENCE_PATH, (_req, res) => {
      res.type('application/json').set('Cache-Control', 'public, max-age=300').send(body);
    });
  }
  for (const router of deps.publicRouters) app.use(router);

  const api = express.Router();
  api.use(requireApiKey(deps.apiKey));
  api.use(requireJson(deps.rawBodyPaths ?? (() => false)));
  api.use(express.json({ limit: deps.jsonLimit ?? '5mb', strict: true, type: 'application/json' }));
  api.use(rejectOperators);
  for (const router of deps.apiRouters) api.use(router);
  app.use('/v1', api);

  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}

function serveMetrics(metrics: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  };
}

/** The METRICS_PORT listener: /metrics without auth, for a private network; everything else is 404. */
export function createMetricsApp(deps: Pick<HttpDeps, 'logger' | 'metrics'>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', serveMetrics(deps.metrics));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
