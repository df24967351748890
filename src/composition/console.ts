import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Connection } from 'mongoose';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { redisRateLimitStores } from '../shared/rate-limit-store.ts';
import {
  ConsoleUserRepository,
  DEFAULT_SIGN_IN_LIMITS,
  RedisSessionStore,
  createConsoleRouter,
  deliverabilityRoutes,
  formsRoutes,
  signInLimits,
  templatesRoutes,
  type ConsoleDeps,
  type TemplatesSectionDeps,
} from '../console/index.ts';
import type { MessageRepository, SendJobData } from '../messages/index.ts';
import type { StreamActivity } from '../console/index.ts';
import { CsrfGuard } from '../http/csrf.ts';
import type { ReputationControl } from '../shared/deliverability.ts';
import type { SubscriptionForms } from '../preferences/index.ts';
import { SuppressionList, type MongoSubscriptionStore, type SubscriptionCatalog } from '../subscriptions/index.ts';
import { readEditorBundle } from './editor-bundle.ts';
import type { Lifecycle } from './lifecycle.ts';

/** The template editor's script, read from disk once, when there are stored templates to edit. */
const editorScriptFor = (templates: ConsoleWiring['templates'], logger: Logger): { editorScript?: string } => {
  const script = templates?.authoring ? readEditorBundle(logger) : undefined;
  return script === undefined ? {} : { editorScript: script };
};

export interface ConsoleWiring {
  config: Config;
  logger: Logger;
  db: Connection;
  redis: RedisClient;
  metrics: Registry;
  store: MongoSubscriptionStore;
  catalog: SubscriptionCatalog;
  messages: MessageRepository;
  sendQueues: ReadonlyMap<string, Queue<SendJobData>>;
  /** Each stream as it stands (composition/streams.ts). */
  streams: () => Promise<StreamActivity[]>;
  sections?: ConsoleDeps['sections'];
  /** The subscription forms section (/console/forms), when given. */
  forms?: SubscriptionForms;
  /** The templates section (/console/templates), when given. */
  templates?: Omit<TemplatesSectionDeps, 'csrf' | 'catalog'>;
  /** The reputation guard: the deliverability section (/console/deliverability) is mounted when given. */
  reputation?: ReputationControl;
  /** The clock console sessions are timed by; Date.now unless a caller supplies one. */
  clock?: () => number;
}

/** The operator console: accounts in MongoDB, sessions in Redis, changes through the same use cases as the API. */
export function buildConsole(life: Lifecycle, deps: ConsoleWiring): Router {
  const logger = deps.logger.child({ module: 'console' });
  const users = new ConsoleUserRepository({ db: deps.db });
  life.onStart(() => users.ensureIndexes());
  const prefix = deps.config.queuePrefix;
  const csrf = new CsrfGuard({ secrets: deps.config.secrets });
  const sections: ConsoleDeps['sections'] = {
    ...(deps.forms ? { forms: formsRoutes({ csrf, forms: deps.forms, catalog: deps.catalog, publicUrl: deps.config.publicUrl }) } : {}),
    ...(deps.templates ? { templates: templatesRoutes({ csrf, catalog: deps.catalog, ...editorScriptFor(deps.templates, logger), ...deps.templates }) } : {}),
    ...(deps.reputation ? { deliverability: deliverabilityRoutes({ csrf, reputation: deps.reputation }) } : {}),
    ...deps.sections,
  };
  return createConsoleRouter({
    logger,
    config: deps.config,
    now: deps.clock ?? Date.now,
    users,
    sessions: new RedisSessionStore({ redis: deps.redis, prefix }),
    csrf,
    limits: signInLimits({ stores: redisRateLimitStores(deps.redis, prefix), logger, limits: DEFAULT_SIGN_IN_LIMITS }),
    store: deps.store,
    catalog: deps.catalog,
    suppressions: new SuppressionList({ states: deps.store.states }),
    messages: deps.messages,
    sendQueues: deps.sendQueues,
    streams: deps.streams,
    metrics: deps.metrics,
    sections,
  });
}
