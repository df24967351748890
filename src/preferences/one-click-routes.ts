import express, { type Router } from 'express';
import { PREFERENCES_PATH, UNSUBSCRIBE_PATH } from './links.ts';
import { pickLocale } from './locale.ts';
import { checkMultipart, checkUrlencoded } from './one-click-body.ts';
import { pageError, sendPage } from './page-errors.ts';
import { renderUnsubscribed, renderUnsubscribeQuestion } from './pages/unsubscribe-pages.ts';
import { readToken, recipientContext, type RouteDeps } from './route-deps.ts';

const BODY_LIMIT = '16kb';

/**
 * The List-Unsubscribe URL (RFC 8058). POST `List-Unsubscribe=One-Click` unsubscribes from the
 * message's type and answers 200 — no redirect, no cookie, no CSRF token (mail providers post it
 * on the recipient's behalf). GET only asks: link scanners prefetch URLs and must change nothing.
 */
export function oneClickRoutes(deps: RouteDeps): Router {
  const router = express.Router();
  const path = `${UNSUBSCRIBE_PATH}/:token`;

  router.get(path, (req, res) => {
    const token = String(req.params.token);
    const payload = readToken(deps.tokens, token, 'u');
    const locale = pickLocale(payload.l, req.get('accept-language'));
    res.locals.locale = locale;
    const preferencesToken = deps.tokens.sign({ k: 'p', a: payload.a, ...(payload.m ? { m: payload.m } : {}), l: locale });
    sendPage(
      res,
      200,
      renderUnsubscribeQuestion({
        locale,
        address: payload.a,
        typeName: deps.catalog.get(payload.t)?.name[locale] ?? payload.t,
        action: `${UNSUBSCRIBE_PATH}/${token}`,
        preferencesHref: `${PREFERENCES_PATH}/${preferencesToken}`,
        postalAddress: deps.postalAddress,
      }),
    );
  });

  router.post(
    path,
    express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 10 }),
    express.raw({ type: 'multipart/form-data', limit: BODY_LIMIT }),
    async (req, res) => {
      const token = String(req.params.token);
      const payload = readToken(deps.tokens, token, 'u');
      const locale = pickLocale(payload.l, req.get('accept-language'));
      res.locals.locale = locale;
      let body: 'one_click' | 'invalid';
      if (req.is('application/x-www-form-urlencoded')) body = checkUrlencoded(req.body);
      else if (req.is('multipart/form-data')) body = checkMultipart(req.body, req.get('content-type'));
      else if (req.get('content-type')) throw pageError('unsupported_media_type', 'Post List-Unsubscribe=One-Click as a form');
      else body = 'invalid';
      if (body !== 'one_click') throw pageError('invalid_form', 'The body must be exactly List-Unsubscribe=One-Click');

      await deps.store.apply(payload.a, { subscriptions: { [payload.t]: 'unsubscribed' } }, recipientContext(req, 'one_click', payload.m));
      deps.actions.inc({ action: 'one_click_unsubscribe' });
      deps.logger.info({ event: 'preferences.one_click', type: payload.t });
      const preferencesToken = deps.tokens.sign({ k: 'p', a: payload.a, ...(payload.m ? { m: payload.m } : {}), l: locale });
      sendPage(
        res,
        200,
        renderUnsubscribed({
          locale,
          address: payload.a,
          typeName: deps.catalog.get(payload.t)?.name[locale] ?? payload.t,
          preferencesHref: `${PREFERENCES_PATH}/${preferencesToken}`,
          postalAddress: deps.postalAddress,
        }),
      );
    },
  );

  return router;
}
