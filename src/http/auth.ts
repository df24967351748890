import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The actor recorded in consent events for requests made with the configured API key. */
export const API_KEY_ACTOR = 'api-key:default';

/** Bearer-key check in constant time. With no key configured the API refuses every request. */
export function requireApiKey(apiKey: string | undefined): RequestHandler {
  const expected = apiKey === undefined ? undefined : digest(apiKey);
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!expected || !match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      next(new AppError('unauthorized', 'A valid "Authorization: Bearer <key>" header is required', { status: 401 }));
      return;
    }
    res.locals.actor = API_KEY_ACTOR;
    next();
  };
}
