import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.ts';
import { pageError } from './page-errors.ts';

export interface FormLimits {
  /** Form posts per IP address per window. */
  perIp: number;
  /** Confirmation emails per recipient address per window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { perIp: 20, perAddress: 3, windowMs: 60 * 60 * 1000 };

/**
 * Rate limits for the public re-subscribe form, counted in Redis so they hold across every API
 * process. Keys live under the deployment's prefix; addresses are hashed (no addresses in Redis).
 */
export function formRateLimits(deps: { redis: Redis; prefix: string; logger: Logger; limits: FormLimits }): { perIp: RequestHandler; perAddress: RequestHandler } {
  const store = (name: string) =>
    new RedisStore({
      sendCommand: (command: string, ...args: string[]) => deps.redis.call(command, ...args) as Promise<RedisReply>,
      prefix: `${deps.prefix}:rl:${name}:`,
    });
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
      store: store('subscribe-ip'),
      handler: refuse,
      logger,
    }),
    perAddress: rateLimit({
      windowMs: deps.limits.windowMs,
      limit: deps.limits.perAddress,
      standardHeaders: false,
      legacyHeaders: false,
      store: store('subscribe-address'),
      keyGenerator: (_req, res) => createHash('sha256').update(String(res.locals.address)).digest('base64url'),
      handler: refuse,
      logger,
    }),
  };
}
