import express, { type Response, type Router } from 'express';
import { changePreferences } from './change-preferences.ts';
import { formBody, requireCsrf } from './form-post.ts';
import { PREFERENCES_PATH } from './links.ts';
import { openedToken, openToken, pageLocale, recipientContext } from './open-token.ts';
import { pageError, sendPage } from './page-errors.ts';
import { preferenceNotice, renderPreferencePage } from './pages/preference-page.ts';
import { preferenceFormSchema } from './preference-actions.ts';
import type { PreferencesDeps } from './route-deps.ts';
import { TEXTS } from './texts.ts';

/**
 * GET/POST /preferences/:token — the footer link. Holding the token proves the mailbox, so every
 * change takes effect at once; the forms carry a CSRF token bound to this page's token.
 */
export function preferenceRoutes(deps: PreferencesDeps): Router {
  const router = express.Router();
  const path = `${PREFERENCES_PATH}/:token`;
  const open = openToken(deps.tokens, 'p');

  const show = async (res: Response, status: number, extra: { notice?: string; error?: string } = {}) => {
    const { token, payload } = openedToken(res, 'p');
    const locale = pageLocale(res);
    const state = await deps.store.get(payload.a);
    sendPage(
      res,
      status,
      renderPreferencePage({
        locale,
        address: payload.a,
        state,
        types: deps.catalog.types,
        consentMode: deps.config.consentMode,
        action: `${PREFERENCES_PATH}/${token}`,
        csrf: deps.csrf.issue(`p:${token}`),
        postalAddress: deps.config.postalAddress,
        ...extra,
      }),
    );
  };

  router.get(path, open, async (_req, res) => {
    await show(res, 200);
  });

  router.post(path, formBody(), open, requireCsrf(deps.csrf, (_req, res) => `p:${openedToken(res, 'p').token}`), async (req, res) => {
    const { payload } = openedToken(res, 'p');
    const form = preferenceFormSchema.safeParse(req.body);
    if (!form.success) throw pageError('invalid_form', 'The preferences form is not one we serve');
    const result = await changePreferences(deps, { address: payload.a, form: form.data, context: recipientContext(req, 'preferences_page', payload.m) });
    const locale = pageLocale(res);
    if (!result.changed) {
      await show(res, 422, { error: TEXTS[locale].chooseAtLeastOne });
      return;
    }
    await show(res, 200, { notice: preferenceNotice(locale, result.action, (id) => deps.catalog.get(id)?.name[locale] ?? id) });
  });

  return router;
}
