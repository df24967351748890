import { Router } from 'express';
import { AppError } from '../shared/errors.ts';
import { localeOf, LOGIN_PATH, requireCsrf } from './console-auth.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { renderSignInPage } from './pages/sign-in-page.ts';
import { SignInCsrf } from './sign-in-csrf.ts';
import { readSignInForm, signInFormOf } from './sign-in-form.ts';

/**
 * Sign-in and sign-out. A wrong password and an unknown account get the same page (401). Until a
 * sign-in succeeds nothing is stored: the form's CSRF check lives in a cookie (sign-in-csrf.ts), and
 * the session is created only then; the page's own per-IP counter is the one key a visit costs.
 */
export function authRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  const csrf = new SignInCsrf({ guard: deps.csrf, secure: deps.config.publicUrl.startsWith('https:') });

  router.get('/login', deps.limits.page, (req, res) => {
    if (req.session.operator) return res.redirect(303, '/console');
    res.type('html').send(renderSignInPage({ locale: localeOf(res), csrf: csrf.issue(req, res) }));
  });

  router.post('/login', deps.limits.page, csrf.require, deps.limits.perIp, readSignInForm, deps.limits.perAccount, async (req, res) => {
    const { email, password } = signInFormOf(res);
    const user = await deps.users.verify(email, password);
    if (!user) {
      deps.logger.info({ event: 'console.sign_in_failed' });
      res.status(401).type('html').send(renderSignInPage({ locale: localeOf(res), csrf: csrf.issue(req, res), email, failed: true }));
      return;
    }
    // a new session id on sign-in: a session id known before (fixation) is worth nothing after
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(new AppError('unavailable', 'No session', { status: 503, cause: err })) : resolve())));
    req.session.operator = user.email;
    req.session.epoch = user.sessionEpoch;
    req.session.signedInAt = deps.now();
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(new AppError('unavailable', 'No session', { status: 503, cause: err })) : resolve())));
    csrf.clear(res);
    deps.logger.info({ event: 'console.signed_in', role: user.role });
    res.redirect(303, '/console');
  });

  router.post('/logout', requireCsrf(deps.csrf), async (req, res) => {
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie(SESSION_COOKIE, { path: '/console' });
    res.redirect(303, LOGIN_PATH);
  });

  return router;
}

export const SESSION_COOKIE = 'mailgate_console';
