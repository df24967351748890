import type { Request, RequestHandler, Response } from 'express';
import type { SessionData } from 'express-session';
import type { CsrfGuard } from '../http/csrf.ts';
import { pickLocale } from '../http/page-locale.ts';
import { AppError } from '../shared/errors.ts';
import { isLocale, type Locale } from '../shared/locale.ts';
import { mayUse, type ConsoleRole, type ConsoleSection } from './console-roles.ts';
import type { Logger } from '../shared/logger.ts';
import type { ConsoleUser, ConsoleUserRepository } from './console-user-repository.ts';
import type { ConsoleViewer } from './console-layout.ts';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in operator's account key. */
    operator?: string;
    /** The account's session epoch at sign-in: a password change or a re-created account no longer matches. */
    epoch?: string;
    /** When the operator signed in (ms, by the console's clock): the absolute lifetime counts from here. */
    signedInAt?: number;
  }
}

export interface Operator {
  email: string;
  role: ConsoleRole;
}

export const LOGIN_PATH = '/console/login';

const csrfScope = (req: Request): string => `console:${req.sessionID}`;

export const localeOf = (res: Response): Locale => (isLocale(res.locals.locale) ? res.locals.locale : 'en');

export const operatorOf = (res: Response): Operator => {
  const operator = res.locals.operator as Operator | undefined;
  if (!operator) throw new AppError('not_signed_in', 'Not signed in', { status: 401 });
  return operator;
};

export const issueCsrf = (guard: CsrfGuard, req: Request): string => guard.issue(csrfScope(req));

export const viewerOf = (guard: CsrfGuard, req: Request, res: Response): ConsoleViewer => ({ ...operatorOf(res), csrf: issueCsrf(guard, req) });

/** The console's language: the browser's best of ours, else English. */
export const consoleLocale: RequestHandler = (req, res, next) => {
  res.locals.locale = pickLocale(undefined, req);
  next();
};

export type SessionEnd = 'account_removed' | 'credentials_changed' | 'expired';

/**
 * Why a signed-in session may no longer be used, or undefined while it may: its account is gone,
 * its password changed (or the address is another account now) since the sign-in, or it is older
 * than its absolute lifetime, however active it has been (the idle limit is the cookie's).
 */
export function sessionEnd(session: Pick<SessionData, 'epoch' | 'signedInAt'>, user: ConsoleUser | undefined, now: number, maxAgeMs: number): SessionEnd | undefined {
  if (!user) return 'account_removed';
  if (session.epoch !== user.sessionEpoch) return 'credentials_changed';
  if (typeof session.signedInAt !== 'number' || !(now - session.signedInAt < maxAgeMs)) return 'expired';
  return undefined;
}

/**
 * Signed in, with a session that is still good (sessionEnd): the account is read on every request, so
 * removals, password changes and changed roles take effect at once. No session (none, expired,
 * tampered or foreign cookie: express-session ignores a cookie whose signature fails) → to the
 * sign-in page, nothing done; a session that ended is destroyed on the way.
 */
export function requireOperator(deps: { users: ConsoleUserRepository; now: () => number; maxAgeMs: number; logger: Logger }): RequestHandler {
  return async (req, res, next) => {
    const email = req.session.operator;
    if (!email) {
      res.redirect(303, LOGIN_PATH);
      return;
    }
    const user = await deps.users.find(email);
    const ended = sessionEnd(req.session, user, deps.now(), deps.maxAgeMs);
    if (ended || !user) {
      deps.logger.info({ event: 'console.session_ended', reason: ended });
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.redirect(303, LOGIN_PATH);
      return;
    }
    res.locals.operator = { email: user.email, role: user.role } satisfies Operator;
    next();
  };
}

/** 403 unless the operator's role may use this section (docs/rules.md §8). Runs before the body is looked at. */
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
