import express, { type Request, type RequestHandler, type Response } from 'express';
import type { CsrfGuard } from '../http/csrf.ts';
import { pageError } from './page-errors.ts';

// A recipient form post, as every form route reads it: the body parsed (formBody), then its CSRF
// field checked (requireCsrf), before the form itself is looked at.

/** The recipient forms are a few short fields: anything larger is refused with 413. */
const FORM_LIMIT = '16kb';

/** Parses a recipient form (urlencoded, flat: no nested objects from `a[b]=c`). */
export const formBody = (): RequestHandler => express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 100 });

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
