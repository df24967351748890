import express, { type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { LOCALES } from '../shared/locale.ts';
import { formBody } from './form-body.ts';
import { formCookie, formCookieOf } from './form-cookie.ts';
import { SUBSCRIBE_PATH } from './links.ts';
import { pickLocale } from './locale.ts';
import { pageLocale } from './open-token.ts';
import { pageError, sendPage } from './page-errors.ts';
import { renderCheckInbox, renderSubscribeForm, type SubscribeFormInput } from './pages/subscribe-pages.ts';
import { checkResubscribeRequest, requestResubscribe } from './request-resubscribe.ts';
import { requireCsrf } from './require-csrf.ts';
import type { PreferencesDeps } from './route-deps.ts';
import { TEXTS } from './texts.ts';

const typeIds = z.union([z.string().max(64), z.array(z.string().max(64)).max(64)]).transform((v) => (Array.isArray(v) ? v : [v]));
const subscribeFormSchema = z
  .object({ csrf: z.string().max(100), lang: z.enum(LOCALES).optional(), email: z.string().max(1000).optional(), types: typeIds.optional() })
  .strict();
type SubscribeForm = z.infer<typeof subscribeFormSchema>;

/**
 * The public re-subscribe form (GET/POST /subscribe). Anyone can type anyone's address, so the
 * form never changes state: a valid post emails a single-use link (see confirm-routes.ts).
 */
export function subscribeRoutes(deps: PreferencesDeps): Router {
  const router = express.Router();

  const showForm = (res: Response, status: number, extra: Pick<SubscribeFormInput, 'email' | 'chosen' | 'errors'> = {}) => {
    const locale = pageLocale(res);
    const cookie = formCookieOf(res);
    if (cookie === undefined) throw new Error('formCookie did not run before the form was shown');
    sendPage(
      res,
      status,
      renderSubscribeForm({
        locale,
        types: deps.formTypes,
        action: SUBSCRIBE_PATH,
        csrf: deps.csrf.issue(`s:${cookie}`),
        postalAddress: deps.config.postalAddress,
        languageSwitch: `${SUBSCRIBE_PATH}?lang=${TEXTS[locale].otherLanguage.locale}`,
        ...extra,
      }),
    );
  };

  router.get(SUBSCRIBE_PATH, formCookie({ issue: true }), (req, res) => {
    res.locals.locale = pickLocale(req.query.lang, req);
    showForm(res, 200);
  });

  /** A form we serve picks the page's language, even of a refusal further on. */
  const readForm: RequestHandler = (req, res, next) => {
    const form = subscribeFormSchema.safeParse(req.body);
    res.locals.locale = pickLocale(form.success ? form.data.lang : undefined, req);
    res.locals.form = form.success ? form.data : undefined;
    next();
  };

  /** A form with mistakes comes back with messages; a valid one goes on to the per-address limit. */
  const validate: RequestHandler = (_req, res, next) => {
    const form = res.locals.form as SubscribeForm | undefined;
    if (!form) throw pageError('invalid_form', 'The subscribe form is not one we serve');
    const checked = checkResubscribeRequest(deps, { email: form.email, types: form.types });
    if (!checked.ok) {
      const t = TEXTS[pageLocale(res)];
      showForm(res, 422, {
        email: form.email ?? '',
        chosen: checked.types,
        errors: { ...(checked.invalidEmail ? { email: t.invalidEmail } : {}), ...(checked.noTypes ? { types: t.chooseAtLeastOne } : {}) },
      });
      return;
    }
    // read by the per-address rate limit and by sendConfirmation
    res.locals.address = checked.address;
    res.locals.chosen = checked.types;
    next();
  };

  const sendConfirmation: RequestHandler = async (_req, res) => {
    const locale = pageLocale(res);
    const address = res.locals.address as string;
    await requestResubscribe(deps, { address, types: res.locals.chosen as string[], locale });
    sendPage(res, 200, renderCheckInbox({ locale, address, postalAddress: deps.config.postalAddress }));
  };

  router.post(
    SUBSCRIBE_PATH,
    deps.limits.perIp,
    formBody(),
    readForm,
    formCookie({ issue: false }),
    requireCsrf(deps.csrf, (_req, res) => {
      const cookie = formCookieOf(res);
      return cookie === undefined ? undefined : `s:${cookie}`;
    }),
    validate,
    deps.limits.perAddress,
    sendConfirmation,
  );

  return router;
}
