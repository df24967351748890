import { randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { tryNormalizeAddress } from '../addresses/normalize.ts';
import { LOCALES, type Locale } from '../templates/types.ts';
import { CONFIRM_PATH, confirmUrl, PREFERENCES_PATH, SUBSCRIBE_PATH } from './links.ts';
import { pickLocale } from './locale.ts';
import { pageError, sendPage } from './page-errors.ts';
import { renderConfirmed, renderConfirmQuestion } from './pages/confirm-pages.ts';
import { renderMessagePage } from './pages/message-page.ts';
import { renderCheckInbox, renderSubscribeForm } from './pages/subscribe-pages.ts';
import { csrfField, readToken, recipientContext, type RouteDeps } from './route-deps.ts';
import { TEXTS } from './texts.ts';
import { isDuplicateKey } from './used-token.model.ts';

const FORM_LIMIT = '16kb';
const FORM_COOKIE = 'mg_form';
const COOKIE_VALUE = /^[A-Za-z0-9_-]{22}$/;

const typeIds = z.union([z.string().max(64), z.array(z.string().max(64)).max(64)]).transform((v) => (Array.isArray(v) ? v : [v]));
const subscribeFormSchema = z
  .object({ csrf: z.string().max(100), lang: z.enum(LOCALES).optional(), email: z.string().max(1000).optional(), types: typeIds.optional() })
  .strict();
const confirmFormSchema = z.object({ csrf: z.string().max(100) }).strict();

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The public re-subscribe form and its confirmation link. Anyone can type anyone's address, so the
 * form never changes state: it emails a single-use link whose page confirms with a POST.
 */
export function subscribeRoutes(deps: RouteDeps & { limits: { perIp: RequestHandler; perAddress: RequestHandler } }): Router {
  const router = express.Router();
  const formTypeIds = new Set(deps.formTypes.map((t) => t.id));
  const urlencoded = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 100 });

  /** The form's CSRF scope: a random cookie (SameSite=Strict) the form token is bound to. */
  const formCookie = (req: Request, res: Response): string => {
    const existing = readCookie(req, FORM_COOKIE);
    if (existing && COOKIE_VALUE.test(existing)) return existing;
    const value = randomBytes(16).toString('base64url');
    res.cookie(FORM_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: SUBSCRIBE_PATH });
    return value;
  };

  const showForm = (req: Request, res: Response, locale: Locale, status: number, extra: Partial<Parameters<typeof renderSubscribeForm>[0]> = {}) => {
    const cookie = formCookie(req, res);
    const other = TEXTS[locale].otherLanguage.locale;
    sendPage(
      res,
      status,
      renderSubscribeForm({
        locale,
        types: deps.formTypes,
        action: SUBSCRIBE_PATH,
        csrf: deps.csrf.issue(`s:${cookie}`),
        postalAddress: deps.postalAddress,
        languageSwitch: `${SUBSCRIBE_PATH}?lang=${other}`,
        ...extra,
      }),
    );
  };

  router.get(SUBSCRIBE_PATH, (req, res) => {
    const locale = pickLocale(req.query.lang, req.get('accept-language'));
    res.locals.locale = locale;
    showForm(req, res, locale, 200);
  });

  /** Checks the form; a form with mistakes comes back with messages, a valid one goes on. */
  const validate: RequestHandler = (req, res, next) => {
    const form = subscribeFormSchema.safeParse(req.body);
    const locale = pickLocale(form.success ? form.data.lang : undefined, req.get('accept-language'));
    res.locals.locale = locale;
    const cookie = readCookie(req, FORM_COOKIE);
    if (!cookie || !COOKIE_VALUE.test(cookie) || !deps.csrf.verify(csrfField(req.body), `s:${cookie}`)) {
      throw pageError('csrf_failed', 'Missing or invalid CSRF token');
    }
    if (!form.success) throw pageError('invalid_form', 'The subscribe form is not one we serve');
    const chosen = [...new Set(form.data.types ?? [])];
    if (chosen.some((id) => !formTypeIds.has(id))) throw pageError('invalid_form', 'Unknown subscription type');
    const t = TEXTS[locale];
    const address = tryNormalizeAddress(form.data.email ?? '');
    if (!address.ok || chosen.length === 0) {
      showForm(req, res, locale, 422, {
        email: form.data.email ?? '',
        chosen,
        errors: { ...(address.ok ? {} : { email: t.invalidEmail }), ...(chosen.length === 0 ? { types: t.chooseAtLeastOne } : {}) },
      });
      return;
    }
    // read by the per-address rate limit and by sendConfirmation
    res.locals.address = address.address;
    res.locals.chosen = chosen;
    next();
  };

  /** Same work and the same answer whatever the address's state (or existence): no enumeration. */
  const sendConfirmation: RequestHandler = async (_req, res) => {
    const locale = res.locals.locale as Locale;
    const address = res.locals.address as string;
    const chosen = res.locals.chosen as string[];
    const token = deps.tokens.sign({ k: 'c', a: address, ts: chosen, n: randomBytes(16).toString('base64url'), l: locale });
    await deps.enqueue({
      kind: 'transactional',
      template: 'resubscribe-confirmation',
      to: address,
      data: { confirmUrl: confirmUrl(deps.publicUrl, token), types: chosen.map((id) => deps.catalog.get(id)?.name[locale] ?? id) },
      locale,
    });
    deps.actions.inc({ action: 'resubscribe_requested' });
    deps.logger.info({ event: 'preferences.resubscribe_requested', types: chosen });
    sendPage(res, 200, renderCheckInbox({ locale, address, postalAddress: deps.postalAddress }));
  };

  router.post(SUBSCRIBE_PATH, deps.limits.perIp, urlencoded, validate, deps.limits.perAddress, sendConfirmation);

  const confirmPath = `${CONFIRM_PATH}/:token`;
  const typeNames = (ids: string[], locale: Locale) => ids.filter((id) => deps.catalog.has(id)).map((id) => deps.catalog.get(id)!.name[locale]);
  const alreadyConfirmed = (res: Response, locale: Locale, status: number) => {
    const t = TEXTS[locale];
    sendPage(
      res,
      status,
      renderMessagePage({ locale, title: t.alreadyConfirmedTitle, lines: [t.alreadyConfirmedText], postalAddress: deps.postalAddress }),
    );
  };

  router.get(confirmPath, async (req, res) => {
    const token = String(req.params.token);
    const payload = readToken(deps.tokens, token, 'c');
    const locale = pickLocale(payload.l, req.get('accept-language'));
    res.locals.locale = locale;
    if (await deps.usedTokens.exists({ nonce: payload.n })) {
      alreadyConfirmed(res, locale, 200);
      return;
    }
    const names = typeNames(payload.ts, locale);
    if (names.length === 0) throw pageError('invalid_token', 'None of the link’s types exist any more');
    sendPage(
      res,
      200,
      renderConfirmQuestion({
        locale,
        address: payload.a,
        typeNames: names,
        action: `${CONFIRM_PATH}/${token}`,
        csrf: deps.csrf.issue(`c:${token}`),
        postalAddress: deps.postalAddress,
      }),
    );
  });

  router.post(confirmPath, urlencoded, async (req, res) => {
    const token = String(req.params.token);
    const payload = readToken(deps.tokens, token, 'c');
    const locale = pickLocale(payload.l, req.get('accept-language'));
    res.locals.locale = locale;
    if (!deps.csrf.verify(csrfField(req.body), `c:${token}`)) throw pageError('csrf_failed', 'Missing or invalid CSRF token');
    if (!confirmFormSchema.safeParse(req.body).success) throw pageError('invalid_form', 'The confirmation form is not one we serve');
    const types = payload.ts.filter((id) => deps.catalog.has(id));
    if (types.length === 0) throw pageError('invalid_token', 'None of the link’s types exist any more');

    // Spend the nonce first: of two concurrent confirmations exactly one inserts it.
    try {
      await deps.usedTokens.create({ nonce: payload.n, usedAt: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      alreadyConfirmed(res, locale, 409);
      return;
    }
    try {
      await deps.store.apply(
        payload.a,
        { optedOutOfAll: false, subscriptions: Object.fromEntries(types.map((id) => [id, 'subscribed' as const])) },
        recipientContext(req, 'resubscribe_form'),
      );
    } catch (err) {
      // the change did not happen: give the link back so the recipient can try again
      await deps.usedTokens.deleteOne({ nonce: payload.n }).catch(() => undefined);
      throw err;
    }
    deps.actions.inc({ action: 'resubscribe_confirmed' });
    deps.logger.info({ event: 'preferences.resubscribe_confirmed', types });
    const preferencesToken = deps.tokens.sign({ k: 'p', a: payload.a, l: locale });
    sendPage(
      res,
      200,
      renderConfirmed({
        locale,
        address: payload.a,
        typeNames: typeNames(types, locale),
        preferencesHref: `${PREFERENCES_PATH}/${preferencesToken}`,
        postalAddress: deps.postalAddress,
      }),
    );
  });

  return router;
}

