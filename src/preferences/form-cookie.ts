import { randomBytes } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { RequestHandler, Response } from 'express';
import { SUBSCRIBE_PATH } from './links.ts';

const FORM_COOKIE = 'mg_form';
const COOKIE_VALUE = /^[A-Za-z0-9_-]{22}$/;

/**
 * The re-subscribe form's CSRF scope: a random cookie (SameSite=Strict) the form token is bound
 * to, since the public form has no token in its URL. Reads a well-formed cookie into
 * `res.locals.formCookie`; with `issue`, a visitor without one gets a new one (the form's GET).
 */
export function formCookie(options: { issue: boolean }): RequestHandler {
  return (req, res, next) => {
    // identity decode: our values are base64url, so the cookie is read exactly as it was set
    const existing = parseCookie(req.get('cookie') ?? '', { decode: (value) => value })[FORM_COOKIE];
    if (existing !== undefined && COOKIE_VALUE.test(existing)) {
      res.locals.formCookie = existing;
    } else if (options.issue) {
      const value = randomBytes(16).toString('base64url');
      res.cookie(FORM_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: SUBSCRIBE_PATH });
      res.locals.formCookie = value;
    }
    next();
  };
}

/** The form cookie `formCookie` found or issued, if any. */
export function formCookieOf(res: Response): string | undefined {
  const value: unknown = res.locals.formCookie;
  return typeof value === 'string' ? value : undefined;
}
