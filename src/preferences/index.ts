import express, { type Router } from 'express';
import { Counter } from 'prom-client';
import type { AppContext, Roles } from '../app.ts';
import type { SubscriptionStore } from '../subscriptions/subscription-store.ts';
import { CsrfGuard } from './csrf.ts';
import { PREFERENCES_PATH, SUBSCRIBE_PATH, UNSUBSCRIBE_PATH } from './links.ts';
import { oneClickRoutes } from './one-click-routes.ts';
import { pageError, pageErrorHandler } from './page-errors.ts';
import { preferenceRoutes } from './preference-routes.ts';
import { DEFAULT_FORM_LIMITS, formRateLimits, type FormLimits } from './rate-limits.ts';
import type { Enqueue, RouteDeps } from './route-deps.ts';
import { recipientPageHeaders } from './security.ts';
import { subscribeRoutes } from './subscribe-routes.ts';
import { CONFIRM_TOKEN_TTL_S } from './tokens.ts';
import { usedTokenModel } from './used-token.model.ts';

export { TokenService, type TokenPayload, type VerifyResult } from './tokens.ts';
export { preferencesUrl, unsubscribeUrl, confirmUrl } from './links.ts';
export type { ConfirmationMessage, Enqueue } from './route-deps.ts';
export type { FormLimits } from './rate-limits.ts';

export interface PreferencesModule {
  /** The recipient pages, mounted at the root (api role only). */
  publicRouter?: Router;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface PreferencesDeps {
  store: SubscriptionStore;
  /** Sends the `resubscribe-confirmation` email (the messages module's enqueue). */
  enqueue: Enqueue;
  limits?: Partial<FormLimits>;
}

/**
 * Everything a recipient does, through pages served by mailgate: the preference page (footer
 * link), one-click unsubscribe (List-Unsubscribe), and the public re-subscribe form with its
 * emailed, single-use confirmation link.
 */
export function createPreferencesModule(ctx: AppContext, roles: Roles, deps: PreferencesDeps): PreferencesModule {
  const { config, catalog } = ctx;
  const unknown = (config.subscribeFormTypes ?? []).filter((id) => !catalog.has(id));
  if (unknown.length > 0) throw new Error(`invalid configuration: SUBSCRIBE_FORM_TYPES: unknown subscription type(s): ${unknown.join(', ')}`);
  const formTypes = config.subscribeFormTypes ? catalog.types.filter((t) => config.subscribeFormTypes!.includes(t.id)) : catalog.types;
  const usedTokens = usedTokenModel(ctx.db);

  const module: PreferencesModule = {
    async start() {
      if (!roles.api) return;
      await usedTokens.createIndexes();
      // nonces of links that have expired anyway can go (no TTL indexes on FerretDB)
      await usedTokens.deleteMany({ usedAt: { $lt: new Date(Date.now() - 2 * CONFIRM_TOKEN_TTL_S * 1000) } });
    },
    async close() {},
  };
  if (!roles.api) return module;

  const routeDeps: RouteDeps = {
    logger: ctx.logger.child({ module: 'preferences' }),
    publicUrl: config.publicUrl,
    postalAddress: config.postalAddress,
    consentMode: config.consentMode,
    tokens: ctx.tokens,
    csrf: new CsrfGuard({ secrets: config.secrets }),
    catalog,
    formTypes,
    store: deps.store,
    enqueue: deps.enqueue,
    usedTokens,
    actions: new Counter({
      name: 'mailgate_recipient_actions_total',
      help: 'Recipient actions on the public pages, by action',
      labelNames: ['action'],
      registers: [ctx.metrics],
    }),
  };
  const limits = formRateLimits({
    redis: ctx.redis,
    prefix: config.queuePrefix,
    logger: routeDeps.logger,
    limits: { ...DEFAULT_FORM_LIMITS, ...deps.limits },
  });

  const paths = [PREFERENCES_PATH, UNSUBSCRIBE_PATH, SUBSCRIBE_PATH];
  const router = express.Router();
  router.use(paths, ...recipientPageHeaders());
  router.use(preferenceRoutes(routeDeps));
  router.use(oneClickRoutes(routeDeps));
  router.use(subscribeRoutes({ ...routeDeps, limits }));
  router.all(
    paths.map((p) => `${p}{/*rest}`),
    () => {
      throw pageError('not_found', 'No such recipient page');
    },
  );
  router.use(paths, pageErrorHandler({ logger: routeDeps.logger, postalAddress: config.postalAddress }));
  module.publicRouter = router;
  return module;
}
