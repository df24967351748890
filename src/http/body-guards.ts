import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.ts';

/** JSON bodies only on the JSON API: anything else is 415 before it reaches a route. */
export function requireJson(except: (path: string) => boolean): RequestHandler {
  return (req, _res, next) => {
    const hasBody = req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT';
    if (hasBody && !except(req.path) && !req.is('application/json')) {
      next(new AppError('unsupported_media_type', 'Send the body as application/json', { status: 415 }));
      return;
    }
    next();
  };
}

/** Finds the first key that MongoDB would read as an operator or a path ($-prefixed or dotted). */
export function findOperatorKey(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findOperatorKey(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (key.startsWith('$') || key.includes('\0')) return here;
      const found = findOperatorKey(item, here);
      if (found) return found;
    }
  }
  return undefined;
}

/** MongoDB operators anywhere in a JSON body are refused outright (400), whatever the route. */
export const rejectOperators: RequestHandler = (req, _res, next) => {
  const key = findOperatorKey(req.body);
  if (key) {
    next(new AppError('operator_not_allowed', `Keys starting with "$" are not allowed (found at ${key})`, { status: 400 }));
    return;
  }
  next();
};
