import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The actor recorded in consent events for requests made with the configured API key. */
export const API_KEY_ACTOR = 'api-key:default';

/** Whether the request's bearer key is one of `keys`, compared in constant time. */
function bearerMatches(authorization: string | undefined, keys: Buffer[]): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const given = digest(match[1]);
  // every key is compared, so the time does not say which one matched
  return keys.map((key) => timingSafeEqual(given, key)).includes(true);
}

const unauthorized = () => new AppError('unauthorized', 'A valid "Authorization: Bearer <key>" header is required', { status: 401 });

/** Bearer-key check in constant time. With no key configured the API refuses every request. */
export function requireApiKey(apiKey: string | undefined): RequestHandler {
  const keys = apiKey === undefined ? [] : [digest(apiKey)];
  return (req, res, next) => {
    if (!bearerMatches(req.get('authorization'), keys)) {
      next(unauthorized());
      return;
    }
    res.locals.actor = API_KEY_ACTOR;
    next();
  };
}

/** /metrics on the main port: the API key or METRICS_TOKEN as a bearer key; with neither configured, refused. */
export function requireMetricsKey(apiKey: string | undefined, metricsToken: string | undefined): RequestHandler {
  const keys = [apiKey, metricsToken].filter((k): k is string => k !== undefined).map(digest);
  return (req, _res, next) => {
    next(bearerMatches(req.get('authorization'), keys) ? undefined : unauthorized());
  };
}
