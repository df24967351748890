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

/** How deep a JSON body may nest; no request of ours needs more than a handful of levels. */
export const MAX_JSON_DEPTH = 64;

export type BodyProblem = { kind: 'operator'; path: string } | { kind: 'too_deep'; path: string };

/**
 * Finds the first key that MongoDB would read as an operator (`$`-prefixed) or that carries a NUL,
 * or the first place the body nests deeper than `maxDepth`. Dotted keys are allowed: template data
 * may use them, and no body is ever used as a query or an update path (routes parse with zod and
 * build their own updates). Iterative, so a hostile `[[[…]]]` cannot exhaust the call stack.
 */
export function findBodyProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): BodyProblem | undefined {
  // depth-first, children in document order, so the first problem found is the one the old
  // recursive walk found; a key is checked when its entry is visited
  type Entry = { value: unknown; path: string; depth: number; key?: string };
  const stack: Entry[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: here, path, depth, key } = stack.pop()!;
    if (key !== undefined && (key.startsWith('$') || key.includes('\0'))) return { kind: 'operator', path };
    if (here === null || typeof here !== 'object') continue;
    if (depth >= maxDepth) return { kind: 'too_deep', path: path || '(root)' };
    const children: Entry[] = Array.isArray(here)
      ? here.map((item, i) => ({ value: item, path: `${path}[${i}]`, depth: depth + 1 }))
      : Object.entries(here).map(([k, item]) => ({ value: item, path: path ? `${path}.${k}` : k, depth: depth + 1, key: k }));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

/**
 * MongoDB operators anywhere in a JSON body are refused outright (400), whatever the route; so is a
 * body nested deeper than MAX_JSON_DEPTH (400 `too_deeply_nested`).
 */
export const rejectOperators: RequestHandler = (req, _res, next) => {
  const problem = findBodyProblem(req.body);
  if (problem?.kind === 'too_deep') {
    next(new AppError('too_deeply_nested', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels (at ${problem.path})`, { status: 400 }));
    return;
  }
  if (problem) {
    next(new AppError('operator_not_allowed', `Keys starting with "$" are not allowed (found at ${problem.path})`, { status: 400 }));
    return;
  }
  next();
};
