import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { Locale } from '../shared/locale.ts';
import { confirmationStatus, confirmResubscribe } from './confirm-resubscribe.ts';
import { formBody, requireCsrf } from './form-post.ts';
import { CONFIRM_PATH, PREFERENCES_PATH } from './links.ts';
import { openedToken, openToken, pageLocale, recipientContext } from './open-token.ts';
import { pageError, sendPage } from './page-errors.ts';
import { renderAlreadyConfirmed, renderConfirmed, renderConfirmQuestion } from './pages/confirm-pages.ts';
import type { PreferencesDeps } from './route-deps.ts';
import { UsedTokenStore } from './used-token-store.ts';

const confirmFormSchema = z.object({ csrf: z.string().max(100) }).strict();

/**
 * GET/POST /subscribe/confirm/:token — the link in the re-subscribe email. GET shows what will
 * happen (link scanners fetch it); only the page's button, a POST with a CSRF token bound to the
 * link, confirms.
 */
export function confirmRoutes(deps: PreferencesDeps): Router {
  const router = express.Router();
  const path = `${CONFIRM_PATH}/:token`;
  const open = openToken(deps.tokens, 'c');
  const nonces = new UsedTokenStore({ model: deps.usedTokens });

  const typeNames = (ids: string[], locale: Locale) => ids.map((id) => deps.catalog.get(id)?.name[locale] ?? id);
  const alreadyConfirmed = (res: Response, status: number) =>
    sendPage(res, status, renderAlreadyConfirmed({ locale: pageLocale(res), postalAddress: deps.config.postalAddress }));

  router.get(path, open, async (_req, res) => {
    const { token, payload } = openedToken(res, 'c');
    const locale = pageLocale(res);
    const status = await confirmationStatus({ nonces, catalog: deps.catalog }, { address: payload.a, types: payload.ts, nonce: payload.n });
    if (status.status === 'already_confirmed') {
      alreadyConfirmed(res, 200);
      return;
    }
    sendPage(
      res,
      200,
      renderConfirmQuestion({
        locale,
        address: payload.a,
        typeNames: typeNames(status.types, locale),
        action: `${CONFIRM_PATH}/${token}`,
        csrf: deps.csrf.issue(`c:${token}`),
        postalAddress: deps.config.postalAddress,
      }),
    );
  });

  router.post(path, formBody(), open, requireCsrf(deps.csrf, (_req, res) => `c:${openedToken(res, 'c').token}`), async (req, res) => {
    const { payload } = openedToken(res, 'c');
    const locale = pageLocale(res);
    if (!confirmFormSchema.safeParse(req.body).success) throw pageError('invalid_form', 'The confirmation form is not one we serve');
    const result = await confirmResubscribe(
      { ...deps, nonces },
      { address: payload.a, types: payload.ts, nonce: payload.n, context: recipientContext(req, 'resubscribe_form') },
    );
    if (result.status === 'already_confirmed') {
      alreadyConfirmed(res, 409);
      return;
    }
    const preferencesToken = deps.tokens.sign({ k: 'p', a: payload.a, l: locale });
    sendPage(
      res,
      200,
      renderConfirmed({
        locale,
        address: payload.a,
        typeNames: typeNames(result.types, locale),
        preferencesHref: `${PREFERENCES_PATH}/${preferencesToken}`,
        postalAddress: deps.config.postalAddress,
      }),
    );
  });

  return router;
}
