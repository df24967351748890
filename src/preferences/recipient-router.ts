import express, { type Router } from 'express';
import { htmlPageHeaders, strictCsp } from '../http/page-headers.ts';
import { confirmRoutes } from './confirm-routes.ts';
import { PREFERENCES_PATH, SUBSCRIBE_PATH, UNSUBSCRIBE_PATH } from './links.ts';
import { oneClickRoutes } from './one-click-routes.ts';
import { pageError, pageErrorHandler } from './page-errors.ts';
import { preferenceRoutes } from './preference-routes.ts';
import { STYLE_HASH } from './recipient-layout.ts';
import type { PreferencesDeps } from './route-deps.ts';
import { subscribeRoutes } from './subscribe-routes.ts';

/**
 * Everything a recipient does, through pages served by mailgate: the preference page (footer
 * link), one-click unsubscribe (List-Unsubscribe), and the public re-subscribe form with its
 * emailed, single-use confirmation link. Mounted at the root; every page gets the strict headers,
 * an HTML 404 and HTML error pages.
 */
export function createRecipientRouter(deps: PreferencesDeps): Router {
  const paths = [PREFERENCES_PATH, UNSUBSCRIBE_PATH, SUBSCRIBE_PATH];
  const router = express.Router();
  // the strict page headers, whose CSP allows our one stylesheet by its hash
  router.use(paths, ...htmlPageHeaders(strictCsp([STYLE_HASH])));
  router.use(preferenceRoutes(deps));
  router.use(oneClickRoutes(deps));
  // the confirmation link before the stored forms: /subscribe/confirm/<token> is never a form
  router.use(confirmRoutes(deps));
  router.use(subscribeRoutes(deps));
  router.all(
    paths.map((p) => `${p}{/*rest}`),
    () => {
      throw pageError('not_found', 'No such recipient page');
    },
  );
  router.use(paths, pageErrorHandler({ logger: deps.logger, postalAddress: deps.config.postalAddress }));
  return router;
}
