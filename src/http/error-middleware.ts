import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { bodyParserError } from './body-errors.ts';

/**
 * What a log line names for the request: the route pattern (`/v1/addresses/:address`), never the
 * URL, which can hold an address or a token (docs/rules.md §11). When no route matched, the path
 * with every segment that holds an address replaced.
 */
export function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string' && !/[*?{(]/.test(pattern)) {
    // By the time the error reaches the app the routers are left (req.baseUrl is reset): the mount
    // point is what precedes the pattern's segments in the path.
    const segments = req.path.split('/');
    const own = pattern.split('/').length - 1;
    return `${segments.slice(0, Math.max(1, segments.length - own)).join('/')}${pattern}`;
  }
  return req.path
    .split('/')
    .map((segment) => (/@|%40/i.test(segment) ? ':address' : segment))
    .join('/');
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appError = err instanceof AppError ? err : bodyParserError(err, 'api');
    if (appError) {
      if (appError.status >= 500) logger.error({ event: 'http.error', code: appError.code, err: appError.cause ?? appError, route: routeOf(req), method: req.method });
      res.status(appError.status).json({ error: { code: appError.code, message: appError.message, details: appError.details } });
      return;
    }
    logger.error({ event: 'http.unexpected_error', err, route: routeOf(req), method: req.method });
    res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side' } });
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: 'No such route' } });
};
