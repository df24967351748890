import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { MessageEnqueuer } from '../messages/index.ts';
import { CsrfGuard } from '../http/csrf.ts';
import {
  DEFAULT_FORM_LIMITS,
  SubscriptionForms,
  createRecipientRouter,
  formRateLimits,
  prepareUsedTokens,
  recipientActionsCounter,
  usedTokenModel,
  type TokenService,
} from '../preferences/index.ts';
import type { Logger } from '../shared/logger.ts';
import { redisRateLimitStores } from '../shared/rate-limit-store.ts';
import type { MongoSubscriptionStore, SubscriptionCatalog, SubscriptionType } from '../subscriptions/index.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface RecipientPages {
  /** The public re-subscribe forms, which the console's forms section edits. */
  forms: SubscriptionForms;
  /** The preference page, one-click unsubscribe and the re-subscribe forms. */
  router: Router;
}

/** What recipients reach from their mail and the public forms (api role). */
export function buildRecipientPages(
  life: Lifecycle,
  deps: {
    config: Config;
    logger: Logger;
    db: Connection;
    redis: RedisClient;
    metrics: Registry;
    tokens: TokenService;
    catalog: SubscriptionCatalog;
    formTypes: SubscriptionType[];
    store: MongoSubscriptionStore;
    enqueuer: MessageEnqueuer;
  },
): RecipientPages {
  const { config, db, catalog } = deps;
  const logger = deps.logger.child({ module: 'preferences' });
  const usedTokens = usedTokenModel(db);
  life.onStart(() => prepareUsedTokens(usedTokens));
  const forms = new SubscriptionForms({ db, catalog, logger });
  life.onStart(() => forms.ensureIndexes());
  const router = createRecipientRouter({
    logger,
    config,
    tokens: deps.tokens,
    catalog,
    formTypes: deps.formTypes,
    forms,
    store: deps.store,
    enqueue: (input) => deps.enqueuer.enqueue(input),
    usedTokens,
    csrf: new CsrfGuard({ secrets: config.secrets }),
    actions: recipientActionsCounter(deps.metrics),
    limits: formRateLimits({ stores: redisRateLimitStores(deps.redis, config.queuePrefix), logger, limits: DEFAULT_FORM_LIMITS }),
  });
  return { forms, router };
}
