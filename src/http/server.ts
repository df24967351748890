import express, { type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger.ts';
import type { Health } from '../shared/health.ts';
import { errorMiddleware, notFoundHandler } from './error-middleware.ts';
import { requireJson, rejectOperators } from './body-guards.ts';
import { requireApiKey } from './auth.ts';

export interface HttpDeps {
  logger: Logger;
  apiKey: string | undefined;
  metrics: Registry;
  health: () => Promise<Health>;
  /** Routers mounted under /v1, behind the API key. */
  apiRouters: Router[];
  /** Public routers (recipient pages), mounted at the root without the API key. */
  publicRouters: Router[];
  /** /v1 paths whose bodies are not JSON (e.g. CSV import). */
  rawBodyPaths?: (path: string) => boolean;
  jsonLimit?: string;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.get('/healthz', async (_req, res) => {
    const health = await deps.health();
    res.status(health.mongo === 'up' && health.redis === 'up' ? 200 : 503).json(health);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });

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
