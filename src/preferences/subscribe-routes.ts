import express, { type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { LOCALES, type Locale } from '../shared/locale.ts';
import type { SubscriptionType } from '../subscriptions/index.ts';
import { formCookie, formCookieOf } from './form-cookie.ts';
import { formBody, requireCsrf } from './form-post.ts';
import { SUBSCRIBE_PATH } from './links.ts';
import { pickLocale } from '../http/page-locale.ts';
import { pageLocale } from './open-token.ts';
import { pageError, sendPage } from './page-errors.ts';
import { renderCheckInbox, renderSubscribeForm, type SubscribeFormInput } from './pages/subscribe-pages.ts';
import { checkResubscribeRequest, requestResubscribe } from './request-resubscribe.ts';
import type { PreferencesDeps } from './route-deps.ts';
import { TEXTS } from './texts.ts';

const typeIds = z.union([z.string().max(64), z.array(z.string().max(64)).max(64)]).transform((v) => (Array.isArray(v) ? v : [v]));
const subscribeFormSchema = z
  .object({ csrf: z.string().max(100), lang: z.enum(LOCALES).optional(), email: z.string().max(1000).optional(), types: typeIds.optional() })
  .strict();
type SubscribeForm = z.infer<typeof subscribeFormSchema>;

/** The form a request is about: the default one (`/subscribe`) or a stored one (`/subscribe/<id>`). */
interface ShownForm {
  action: string;
  types: SubscriptionType[];
  /** The CSRF scope's prefix: a token issued for one form does not post another. */
  scope: string;
  /** A stored form's own words (per locale); absent for the default form. */
  heading?: { title: Record<Locale, string>; intro: Record<Locale, string> };
}

const shownFormOf = (res: Response): ShownForm => {
  const form = res.locals.shownForm as ShownForm | undefined;
  if (!form) throw new Error('the form was not resolved before this handler');
  return form;
};

/**
 * The public re-subscribe forms (GET/POST /subscribe and /subscribe/<formId>). Anyone can type
 * anyone's address, so a form never changes state: a valid post emails a single-use link (see
 * confirm-routes.ts) carrying exactly the types chosen from that form. A stored form that is
 * unknown or disabled answers the 404 page.
 */
export function subscribeRoutes(deps: PreferencesDeps): Router {
  const router = express.Router();
  const formPath = `${SUBSCRIBE_PATH}/:formId`;

  const defaultForm: RequestHandler = (_req, res, next) => {
    res.locals.shownForm = { action: SUBSCRIBE_PATH, types: deps.formTypes, scope: 's' } satisfies ShownForm;
    next();
  };
  const storedForm: RequestHandler = async (req, res, next) => {
    const id = String(req.params.formId);
    const form = await deps.forms.findPublished(id);
    if (!form) throw pageError('not_found', 'No such subscription form');
    const types = form.types.flatMap((typeId) => deps.catalog.get(typeId) ?? []); // a type removed from the catalog since is not offered
    res.locals.shownForm = { action: `${SUBSCRIBE_PATH}/${form.id}`, types, scope: `f:${form.id}`, heading: { title: form.title, intro: form.intro } } satisfies ShownForm;
    next();
  };

  const showForm = (res: Response, status: number, extra: Pick<SubscribeFormInput, 'email' | 'chosen' | 'errors'> = {}) => {
    const locale = pageLocale(res);
    const form = shownFormOf(res);
    const cookie = formCookieOf(res);
    if (cookie === undefined) throw new Error('formCookie did not run before the form was shown');
    sendPage(
      res,
      status,
      renderSubscribeForm({
        locale,
        types: form.types,
        action: form.action,
        csrf: deps.csrf.issue(`${form.scope}:${cookie}`),
        postalAddress: deps.config.postalAddress,
        languageSwitch: `${form.action}?lang=${TEXTS[locale].otherLanguage.locale}`,
        ...(form.heading ? { heading: { title: form.heading.title[locale], intro: form.heading.intro[locale] } } : {}),
        ...extra,
      }),
    );
  };

  const show: RequestHandler = (req, res) => {
    res.locals.locale = pickLocale(req.query.lang, req);
    showForm(res, 200);
  };
  router.get(SUBSCRIBE_PATH, formCookie({ issue: true }), defaultForm, show);
  router.get(formPath, storedForm, formCookie({ issue: true }), show);

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
    const checked = checkResubscribeRequest({ formTypes: shownFormOf(res).types }, { email: form.email, types: form.types });
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

  const handlePost = [
    formBody(),
    readForm,
    formCookie({ issue: false }),
    requireCsrf(deps.csrf, (_req, res) => {
      const cookie = formCookieOf(res);
      return cookie === undefined ? undefined : `${shownFormOf(res).scope}:${cookie}`;
    }),
    validate,
    deps.limits.perAddress,
    sendConfirmation,
  ];
  // the per-IP limit first: probing for form ids counts too
  router.post(SUBSCRIBE_PATH, deps.limits.perIp, defaultForm, ...handlePost);
  router.post(formPath, deps.limits.perIp, storedForm, ...handlePost);

  return router;
}
