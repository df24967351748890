import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { RateLimitStores } from '../shared/rate-limit-store.ts';
import { signInFormOf } from './sign-in-form.ts';

export interface SignInLimitOptions {
  /** Failed sign-ins per account per window. */
  perAccount: number;
  /** Failed sign-ins per IP address per window. */
  perIp: number;
  windowMs: number;
  /** Requests to the sign-in page (GET and POST, whatever the outcome) per IP address per pageWindowMs. */
  pagePerIp: number;
  pageWindowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimitOptions = { perAccount: 5, perIp: 30, windowMs: 15 * 60_000, pagePerIp: 60, pageWindowMs: 60_000 };

export interface SignInLimits {
  /** Every request to the sign-in page: one counter per IP, the only key a visit writes. */
  page: RequestHandler;
  perIp: RequestHandler;
  /** Needs readSignInForm before it. */
  perAccount: RequestHandler;
}

/**
 * Failed sign-ins counted in Redis (across API processes: shared/rate-limit-store.ts) per account and per IP; a successful one
 * is not counted. The account key is hashed (no addresses in Redis) and counted whether or not the
 * account exists, so the limit says nothing about which accounts exist. The page itself is limited
 * per IP too, so a flood of anonymous visits costs one counter and then 429s.
 */
export function signInLimits(deps: { stores: RateLimitStores; logger: Logger; limits: SignInLimitOptions }): SignInLimits {
  const logger = {
    error: (err: unknown, message?: string) => deps.logger.error({ event: 'console.rate_limit_error', err }, message),
    warn: (err: unknown, message?: string) => deps.logger.warn({ event: 'console.rate_limit_warning', err }, message),
  };
  const refuse: RequestHandler = (_req, _res, next) => next(new AppError('rate_limited', 'Too many sign-in attempts', { status: 429 }));
  const common = { standardHeaders: false, legacyHeaders: false, handler: refuse, logger } as const;
  const failures = { ...common, windowMs: deps.limits.windowMs, skipSuccessfulRequests: true } as const;
  return {
    page: rateLimit({ ...common, windowMs: deps.limits.pageWindowMs, limit: deps.limits.pagePerIp, store: deps.stores('console-signin-page') }),
    perIp: rateLimit({ ...failures, limit: deps.limits.perIp, store: deps.stores('console-signin-ip') }),
    perAccount: rateLimit({
      ...failures,
      limit: deps.limits.perAccount,
      store: deps.stores('console-signin-account'),
      // the account key the lookup uses (readSignInForm runs before): every spelling of one account shares its count
      keyGenerator: (_req, res) => createHash('sha256').update(signInFormOf(res).account).digest('base64url'),
    }),
  };
}
