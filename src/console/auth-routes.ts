import { Router } from 'express';
import { AppError } from '../shared/errors.ts';
import { issueCsrf, localeOf, LOGIN_PATH, requireCsrf } from './console-auth.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { renderSignInPage } from './pages/sign-in-page.ts';
import { readSignInForm, signInFormOf } from './sign-in-form.ts';

/** Sign-in and sign-out. A wrong password and an unknown account get the same page (401). */
export function authRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.session.operator) return res.redirect(303, '/console');
    req.session.started = true;
    res.type('html').send(renderSignInPage({ locale: localeOf(res), csrf: issueCsrf(deps.csrf, req) }));
  });

  router.post('/login', requireCsrf(deps.csrf), deps.limits.perIp, readSignInForm, deps.limits.perAccount, async (req, res) => {
    const { email, password } = signInFormOf(res);
    const user = await deps.users.verify(email, password);
    if (!user) {
      deps.logger.info({ event: 'console.sign_in_failed' });
      res.status(401).type('html').send(renderSignInPage({ locale: localeOf(res), csrf: issueCsrf(deps.csrf, req), email, failed: true }));
      return;
    }
    // a new session id on sign-in: a session id known before (fixation) is worth nothing after
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(new AppError('unavailable', 'No session', { status: 503, cause: err })) : resolve())));
    req.session.operator = user.email;
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(new AppError('unavailable', 'No session', { status: 503, cause: err })) : resolve())));
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
