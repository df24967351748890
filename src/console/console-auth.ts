import type { Request, RequestHandler, Response } from 'express';
import type { CsrfGuard } from '../preferences/index.ts';
import { AppError } from '../shared/errors.ts';
import type { Locale } from '../shared/locale.ts';
import { mayUse, type ConsoleRole, type ConsoleSection } from './console-roles.ts';
import type { ConsoleUserRepository } from './console-user-repository.ts';
import type { ConsoleViewer } from './console-layout.ts';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in operator's account key. */
    operator?: string;
  }
}

export interface Operator {
  email: string;
  role: ConsoleRole;
}

export const LOGIN_PATH = '/console/login';

const csrfScope = (req: Request): string => `console:${req.sessionID}`;

export const localeOf = (res: Response): Locale => (res.locals.locale === 'de' ? 'de' : 'en');

export const operatorOf = (res: Response): Operator => {
  const operator = res.locals.operator as Operator | undefined;
  if (!operator) throw new AppError('not_signed_in', 'Not signed in', { status: 401 });
  return operator;
};

export const issueCsrf = (guard: CsrfGuard, req: Request): string => guard.issue(csrfScope(req));

export const viewerOf = (guard: CsrfGuard, req: Request, res: Response): ConsoleViewer => ({ ...operatorOf(res), csrf: issueCsrf(guard, req) });

/** The console's language: the browser's best of en/de. */
export const consoleLocale: RequestHandler = (req, res, next) => {
  res.locals.locale = req.acceptsLanguages('en', 'de') || 'en';
  next();
};

/**
 * Signed in, with an account that still exists (removed accounts and changed roles take effect at
 * once). No session (none, expired, tampered or foreign cookie: express-session ignores a cookie
 * whose signature fails) → to the sign-in page, nothing done.
 */
export function requireOperator(users: ConsoleUserRepository): RequestHandler {
  return async (req, res, next) => {
    const email = req.session.operator;
    const user = email ? await users.find(email) : undefined;
    if (!user) {
      if (email) await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.redirect(303, LOGIN_PATH);
      return;
    }
    res.locals.operator = { email: user.email, role: user.role } satisfies Operator;
    next();
  };
}

/** 403 unless the operator's role may use this section (PRODUCT.md §8). Runs before the body is looked at. */
export const requireSection =
  (section: ConsoleSection): RequestHandler =>
  (_req, res, next) => {
    if (!mayUse(operatorOf(res).role, section)) throw new AppError('forbidden', `The role may not use ${section}`, { status: 403 });
    next();
  };

/** 403 unless the form's `csrf` field was issued for this session. */
export function requireCsrf(guard: CsrfGuard): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    const field = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).csrf : undefined;
    if (!req.session || typeof field !== 'string' || !guard.verify(field, csrfScope(req))) {
      throw new AppError('csrf_failed', 'Missing or invalid CSRF token', { status: 403 });
    }
    next();
  };
}
