import express, { Router } from 'express';
import session from 'express-session';
import { AppError } from '../shared/errors.ts';
import { activityRoutes } from './activity-routes.ts';
import { addressRoutes } from './address-routes.ts';
import { authRoutes, SESSION_COOKIE } from './auth-routes.ts';
import { consoleLocale, localeOf, requireOperator, requireSection, viewerOf } from './console-auth.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { consoleErrorHandler } from './console-errors.ts';
import { consolePageHeaders } from './console-security.ts';
import { CONSOLE_SECTIONS } from './console-roles.ts';
import { renderHomePage } from './pages/home-page.ts';
import { suppressionsRoutes } from './suppressions-routes.ts';

/** The idle limit: the cookie and the Redis entry expire this long after the last request (rolling). */
const SESSION_IDLE_MS = 8 * 3600_000;

/**
 * The operator console at /console (docs/rules.md §8): server-rendered pages behind a session
 * (express-session, stored by `deps.sessions`), strict headers, CSRF on every form, each section
 * gated by role. Mounted at the root among the public routers; it answers only under /console.
 */
export function createConsoleRouter(deps: ConsoleDeps): Router {
  const inner = Router();
  inner.use(...consolePageHeaders(), consoleLocale);
  inner.use(
    session({
      name: SESSION_COOKIE,
      // first signs, all verify (rotation); a cookie signed by another deployment's secret is no session
      secret: deps.config.secrets,
      store: deps.sessions,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
      cookie: { path: '/console', httpOnly: true, sameSite: 'lax', secure: deps.config.publicUrl.startsWith('https:'), maxAge: SESSION_IDLE_MS },
    }),
  );
  const smallForms = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 });
  // the templates section parses its own, larger forms below, and only for a signed-in operator
  inner.use((req, res, next) => (req.path.startsWith('/templates/') ? next() : smallForms(req, res, next)));
  inner.use(authRoutes(deps));
  inner.use(requireOperator({ users: deps.users, now: deps.now, maxAgeMs: deps.config.consoleSessionMaxHours * 3600_000, logger: deps.logger }));
  // the template editor posts whole sources: up to 512 KB of MJML, up to three times that URL-encoded
  inner.use('/templates', express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 200 }));
  inner.get('/', (req, res) => {
    res.type('html').send(renderHomePage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res) }));
  });
  inner.use(addressRoutes(deps));
  inner.use(suppressionsRoutes(deps));
  inner.use(activityRoutes(deps));
  for (const section of CONSOLE_SECTIONS) {
    const router = deps.sections?.[section];
    if (router) inner.use(`/${section}`, requireSection(section), router);
    // a section not built yet still answers by role: 403 for the wrong role, 404 otherwise
    else inner.use(`/${section}`, requireSection(section));
  }
  inner.use(() => {
    throw new AppError('not_found', 'No such console page', { status: 404 });
  });
  inner.use(consoleErrorHandler({ logger: deps.logger, csrf: deps.csrf }));

  const router = Router();
  router.use('/console', inner);
  return router;
}
