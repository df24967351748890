import { randomBytes } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import type { CsrfGuard } from '../http/csrf.ts';
import { AppError } from '../shared/errors.ts';

const SIGN_IN_COOKIE = 'mailgate_console_login';
const SIGN_IN_PATH = '/console/login';
const COOKIE_VALUE = /^[A-Za-z0-9_-]{22}$/;

/**
 * The sign-in form's CSRF check without a session, so that a visit to the sign-in page stores
 * nothing (a signed double submit): the cookie holds a random nonce (HttpOnly, SameSite=Strict,
 * only sent to the sign-in path, Secure when PUBLIC_URL is https); the form's hidden field holds
 * the CsrfGuard's token for that nonce (an HMAC under a key HKDF-derived from MAILGATE_SECRET, with
 * its issue time, 24 h). A post passes only with a field minted for the very cookie it carries:
 * another site can neither read the cookie nor mint a field for it.
 */
export class SignInCsrf {
  private readonly guard: CsrfGuard;
  private readonly secure: boolean;

  constructor(deps: { guard: CsrfGuard; secure: boolean }) {
    this.guard = deps.guard;
    this.secure = deps.secure;
  }

  /** The hidden field for this visitor's form; a visitor without a well-formed cookie gets one (several tabs share it). */
  issue(req: Request, res: Response): string {
    let nonce = this.nonceOf(req);
    if (nonce === undefined) {
      nonce = randomBytes(16).toString('base64url');
      res.cookie(SIGN_IN_COOKIE, nonce, { httpOnly: true, sameSite: 'strict', secure: this.secure, path: SIGN_IN_PATH });
    }
    return this.guard.issue(scope(nonce));
  }

  /** 403 (`csrf_failed`) unless the post's `csrf` field was issued for its cookie. Runs before the body is looked at further. */
  readonly require: RequestHandler = (req, _res, next) => {
    const body: unknown = req.body;
    const field = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).csrf : undefined;
    const nonce = this.nonceOf(req);
    if (nonce === undefined || typeof field !== 'string' || !this.guard.verify(field, scope(nonce))) {
      throw new AppError('csrf_failed', 'Missing or invalid CSRF token', { status: 403 });
    }
    next();
  };

  /** Once signed in, the session's own tokens take over. */
  clear(res: Response): void {
    res.clearCookie(SIGN_IN_COOKIE, { httpOnly: true, sameSite: 'strict', secure: this.secure, path: SIGN_IN_PATH });
  }

  private nonceOf(req: Request): string | undefined {
    // identity decode: the values are base64url, read exactly as they were set
    const value = parseCookie(req.get('cookie') ?? '', { decode: (v) => v })[SIGN_IN_COOKIE];
    return value !== undefined && COOKIE_VALUE.test(value) ? value : undefined;
  }
}

// its own prefix: a sign-in token is never a token for a signed-in session's forms (`console:<session id>`)
const scope = (nonce: string): string => `console-sign-in:${nonce}`;
