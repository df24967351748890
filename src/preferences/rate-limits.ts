import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { RedisStore } from 'rate-limit-redis';
import { mailboxKey } from '../addresses/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { RateLimitStores } from '../shared/rate-limit-store.ts';
import { pageError } from './page-errors.ts';

export interface FormLimits {
  /** Form posts per IP address per window. */
  perIp: number;
  /** Confirmation emails per recipient mailbox (see mailboxKey) per window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { perIp: 20, perAddress: 3, windowMs: 60 * 60 * 1000 };

/** The deployment-wide budget of confirmation emails per window (RESUBSCRIBE_CONFIRMATIONS_PER_HOUR). */
export interface ConfirmationBudget {
  /** Counts one confirmation; false when the window's `limit` is already spent (send nothing then). */
  take(limit: number): Promise<boolean>;
}

export interface FormRateLimits {
  perIp: RequestHandler;
  perAddress: RequestHandler;
  confirmations: ConfirmationBudget;
}

/**
 * Rate limits for the public re-subscribe form, counted in Redis so they hold across every API
 * process. Keys live under the deployment's prefix; addresses are hashed (no addresses in Redis).
 * The per-address limit counts the mailbox, not the spelling: `victim+1@gmail.com` and
 * `v.ictim@gmail.com` share one count.
 */
export function formRateLimits(deps: { stores: RateLimitStores; logger: Logger; limits: FormLimits }): FormRateLimits {
  const logger = {
    error: (err: unknown, message?: string) => deps.logger.error({ event: 'preferences.rate_limit_error', err }, message),
    warn: (err: unknown, message?: string) => deps.logger.warn({ event: 'preferences.rate_limit_warning', err }, message),
  };
  const refuse: RequestHandler = (_req, _res, next) => next(pageError('rate_limited', 'Too many requests'));
  return {
    perIp: rateLimit({
      windowMs: deps.limits.windowMs,
      limit: deps.limits.perIp,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store: deps.stores('subscribe-ip'),
      handler: refuse,
      logger,
    }),
    perAddress: rateLimit({
      windowMs: deps.limits.windowMs,
      limit: deps.limits.perAddress,
      standardHeaders: false,
      legacyHeaders: false,
      store: deps.stores('subscribe-address'),
      keyGenerator: (_req, res) => createHash('sha256').update(mailboxKey(String(res.locals.address))).digest('base64url'),
      handler: refuse,
      logger,
    }),
    confirmations: confirmationBudget(deps.stores('resubscribe-confirmations'), deps.limits.windowMs),
  };
}

/** One fixed-window counter for the whole deployment, in the same Redis store as the limits. */
function confirmationBudget(store: RedisStore, windowMs: number): ConfirmationBudget {
  let ready: Promise<void> | undefined;
  return {
    async take(limit) {
      // init (the store's window, its scripts) is what express-rate-limit would call; a failure is retried next time
      ready ??= store.init({ windowMs } as Parameters<RedisStore['init']>[0]).catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      const { totalHits } = await store.increment('all');
      return totalHits <= limit;
    },
  };
}
