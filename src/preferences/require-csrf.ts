import type { Request, RequestHandler, Response } from 'express';
import type { CsrfGuard } from '../http/csrf.ts';
import { pageError } from './page-errors.ts';

/**
 * Refuses a form post (403) unless its `csrf` field is one string that the guard issued for this
 * page's scope. Runs right after the body is parsed, before the form itself is looked at. No scope
 * (e.g. no form cookie) refuses too.
 */
export function requireCsrf(guard: CsrfGuard, scopeOf: (req: Request, res: Response) => string | undefined): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    const field = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).csrf : undefined;
    const scope = scopeOf(req, res);
    if (scope === undefined || typeof field !== 'string' || !guard.verify(field, scope)) {
      throw pageError('csrf_failed', 'Missing or invalid CSRF token');
    }
    next();
  };
}
