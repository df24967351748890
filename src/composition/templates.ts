import { Router } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Config } from '../config.ts';
import type { TokenService } from '../preferences/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { TemplateAuthoring } from '../shared/template-authoring.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import {
  AllTemplates,
  StoredTemplateCompiler,
  StoredTemplateRepository,
  TemplateAuthoringService,
  TemplateLoadError,
  TemplateVersionsCache,
  createAuthoringRouter,
  createTemplatesRouter,
  loadTemplates,
  type TemplateProblem,
  type TemplateRegistry,
} from '../templates/index.ts';
import { createRedis } from './connections.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface Templates {
  /** File templates and published stored ones: what the send path, the previews and GET /v1/templates use. */
  renderer: AllTemplates;
  /** The file templates alone (the console's read-only templates section). */
  files: TemplateRegistry;
  /** The checker's findings, for the console's templates section. */
  problems: TemplateProblem[];
  /** Drafts, publishing, versions (docs/rules.md §14), for the API and the console's editor. */
  authoring: TemplateAuthoring;
  /** `GET /v1/templates`, the previews and the authoring API (api role). */
  routes(): Router;
}

/** How often a process re-reads the newest versions even without an announcement: the safety net for a lost pub/sub message. */
const REFRESH_MS = 5000;
/** Compiled stored versions one process keeps (least recently used leave first). */
const MAX_COMPILED = 200;

/**
 * The MJML templates: file templates compiled once (a broken one stops start-up, naming the file),
 * stored ones compiled per version on first use. A publish is announced on Redis
 * (`<QUEUE_PREFIX>:templates:published`) so every process re-reads the newest versions at once.
 */
export async function buildTemplates(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; db: Connection; redis: RedisClient; catalog: SubscriptionCatalog; tokens: TokenService },
): Promise<Templates> {
  const { config, logger } = deps;
  const { registry: files, problems } = await loadTemplates({ dir: config.templatesDir, catalog: deps.catalog, tokens: deps.tokens, publicUrl: config.publicUrl, postalAddress: config.postalAddress });
  if (problems.length > 0) throw new TemplateLoadError(problems);
  logger.info({ event: 'templates.loaded', count: files.list().length }, `templates compiled: ${files.list().map((t) => t.name).join(', ')}`);

  const repository = new StoredTemplateRepository({ db: deps.db });
  const compiler = new StoredTemplateCompiler({ templatesDir: config.templatesDir, catalog: deps.catalog, registry: files });
  const cache = new TemplateVersionsCache({ repository, compiler, maxCompiled: MAX_COMPILED, logger });
  const renderer = new AllTemplates({ files, stored: cache });
  const channel = `${config.queuePrefix}:templates:published`;
  const refresh = () => cache.refresh().catch((err: unknown) => logger.warn({ event: 'templates.refresh_failed', err: err instanceof Error ? err.message : String(err) }, 'could not re-read the published template versions'));

  const authoring = new TemplateAuthoringService({
    repository,
    compiler,
    files,
    templatesDir: config.templatesDir,
    announce: async (name) => {
      await cache.refresh(); // this process first, so the answer to the publish is already true here
      await deps.redis.publish(channel, name);
      logger.info({ event: 'templates.published', template: name }, `template "${name}" published`);
    },
  });

  await refresh();
  for (const t of cache.list()) {
    if (files.get(t.name)) logger.warn({ event: 'templates.name_shadowed', template: t.name }, `the file template "${t.name}" hides the stored template of that name: rename one`);
  }
  const subscriber = createRedis(config.redis, 'worker');
  subscriber.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  subscriber.on('message', () => void refresh());
  subscriber.on('ready', () => void refresh()); // after a reconnect: an announcement may have been missed
  let timer: NodeJS.Timeout | undefined;
  life.onStart(async () => {
    // Not awaited: a Redis that is away must not hold start-up (the API answers 503 meanwhile); ioredis
    // subscribes once it connects and again after each reconnect, and the re-read covers the gap.
    subscriber.subscribe(channel).catch((err: unknown) => logger.warn({ event: 'templates.subscribe_failed', err: err instanceof Error ? err.message : String(err) }, 'could not subscribe to template publishes'));
    timer = setInterval(() => void refresh(), REFRESH_MS);
    timer.unref();
  });
  life.onClose({
    close: async () => {
      clearInterval(timer);
      subscriber.disconnect();
    },
  });

  return {
    renderer,
    files,
    problems,
    authoring,
    routes: () => Router().use(createAuthoringRouter({ authoring }), createTemplatesRouter({ renderer })),
  };
}
