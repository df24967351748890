import express, { type Router } from 'express';
import type { Locale } from '../shared/locale.ts';
import { PREFERENCES_PATH, UNSUBSCRIBE_PATH } from './links.ts';
import { oneClickParsers, requireOneClick } from './one-click-body.ts';
import { oneClickUnsubscribe } from './one-click-unsubscribe.ts';
import { openedToken, openToken, pageLocale, recipientContext, type PayloadOf } from './open-token.ts';
import { sendPage } from './page-errors.ts';
import { renderUnsubscribed, renderUnsubscribeQuestion } from './pages/unsubscribe-pages.ts';
import type { PreferencesDeps } from './route-deps.ts';

/**
 * The List-Unsubscribe URL (RFC 8058). POST `List-Unsubscribe=One-Click` unsubscribes from the
 * message's type and answers 200 — no redirect, no cookie, no CSRF token (mail providers post it
 * on the recipient's behalf). GET only asks: link scanners prefetch URLs and must change nothing.
 */
export function oneClickRoutes(deps: PreferencesDeps): Router {
  const router = express.Router();
  const path = `${UNSUBSCRIBE_PATH}/:token`;
  const open = openToken(deps.tokens, 'u');

  /** The page's link to the preference page, for the same address and message. */
  const preferencesHref = (payload: PayloadOf<'u'>, locale: Locale) =>
    `${PREFERENCES_PATH}/${deps.tokens.sign({ k: 'p', a: payload.a, ...(payload.m ? { m: payload.m } : {}), l: locale })}`;
  const typeName = (payload: PayloadOf<'u'>, locale: Locale) => deps.catalog.get(payload.t)?.name[locale] ?? payload.t;

  router.get(path, open, (_req, res) => {
    const { token, payload } = openedToken(res, 'u');
    const locale = pageLocale(res);
    sendPage(
      res,
      200,
      renderUnsubscribeQuestion({
        locale,
        address: payload.a,
        typeName: typeName(payload, locale),
        action: `${UNSUBSCRIBE_PATH}/${token}`,
        preferencesHref: preferencesHref(payload, locale),
        postalAddress: deps.config.postalAddress,
      }),
    );
  });

  // body before token, as on every recipient form: an oversized body is a 413 whatever the token
  router.post(path, ...oneClickParsers(), open, requireOneClick, async (req, res) => {
    const { payload } = openedToken(res, 'u');
    const locale = pageLocale(res);
    await oneClickUnsubscribe(deps, { address: payload.a, type: payload.t, context: recipientContext(req, 'one_click', payload.m) });
    sendPage(
      res,
      200,
      renderUnsubscribed({
        locale,
        address: payload.a,
        typeName: typeName(payload, locale),
        preferencesHref: preferencesHref(payload, locale),
        postalAddress: deps.config.postalAddress,
      }),
    );
  });

  return router;
}
