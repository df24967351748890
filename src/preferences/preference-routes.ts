import express, { type Request, type Response, type Router } from 'express';
import { PREFERENCES_PATH } from './links.ts';
import { pickLocale } from './locale.ts';
import { pageError, sendPage } from './page-errors.ts';
import { renderPreferencePage } from './pages/preference-page.ts';
import { preferenceFormSchema, toStateChange, type PreferenceAction } from './preference-actions.ts';
import { csrfField, readToken, recipientContext, type RouteDeps } from './route-deps.ts';
import { TEXTS } from './texts.ts';

const FORM_LIMIT = '16kb';

/**
 * GET/POST /preferences/:token — the footer link. Holding the token proves the mailbox, so every
 * change takes effect at once; the forms carry a CSRF token bound to this page's token.
 */
export function preferenceRoutes(deps: RouteDeps): Router {
  const router = express.Router();
  const path = `${PREFERENCES_PATH}/:token`;

  const show = async (req: Request, res: Response, status: number, extra: { notice?: string; error?: string } = {}) => {
    const token = String(req.params.token);
    const payload = readToken(deps.tokens, token, 'p');
    const locale = pickLocale(payload.l, req.get('accept-language'));
    res.locals.locale = locale;
    const state = await deps.store.get(payload.a);
    sendPage(
      res,
      status,
      renderPreferencePage({
        locale,
        address: payload.a,
        state,
        types: deps.catalog.types,
        consentMode: deps.consentMode,
        action: `${PREFERENCES_PATH}/${token}`,
        csrf: deps.csrf.issue(`p:${token}`),
        postalAddress: deps.postalAddress,
        ...extra,
      }),
    );
  };

  router.get(path, async (req, res) => {
    await show(req, res, 200);
  });

  router.post(path, express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 100 }), async (req, res) => {
    const token = String(req.params.token);
    const payload = readToken(deps.tokens, token, 'p');
    const locale = pickLocale(payload.l, req.get('accept-language'));
    res.locals.locale = locale;
    if (!deps.csrf.verify(csrfField(req.body), `p:${token}`)) throw pageError('csrf_failed', 'Missing or invalid CSRF token');
    const form = preferenceFormSchema.safeParse(req.body);
    if (!form.success) throw pageError('invalid_form', 'The preferences form is not one we serve');

    const t = TEXTS[locale];
    const typeName = (id: string) => deps.catalog.get(id)?.name[locale] ?? id;
    let action: PreferenceAction;
    if (form.data.action === 'resubscribe') {
      const types = [...new Set(form.data.types ?? [])];
      if (types.some((id) => !deps.catalog.has(id))) throw pageError('invalid_form', 'Unknown subscription type');
      if (types.length === 0) {
        await show(req, res, 422, { error: t.chooseAtLeastOne });
        return;
      }
      action = { action: 'resubscribe', types };
    } else if (form.data.action === 'unsubscribe_all') {
      action = { action: 'unsubscribe_all' };
    } else {
      if (!deps.catalog.has(form.data.type)) throw pageError('invalid_form', 'Unknown subscription type');
      action = { action: form.data.action, type: form.data.type };
    }

    await deps.store.apply(payload.a, toStateChange(action), recipientContext(req, 'preferences_page', payload.m));
    deps.actions.inc({ action: `preferences_${action.action}` });
    deps.logger.info({ event: 'preferences.changed', action: action.action });
    const notice =
      action.action === 'unsubscribe'
        ? t.doneUnsubscribed(typeName(action.type))
        : action.action === 'subscribe'
          ? t.doneSubscribed(typeName(action.type))
          : action.action === 'unsubscribe_all'
            ? t.doneUnsubscribedAll
            : t.doneResubscribed(action.types.map(typeName).join(', '));
    await show(req, res, 200, { notice });
  });

  return router;
}
