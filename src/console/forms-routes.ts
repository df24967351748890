import { Router, type Request, type Response } from 'express';
import type { CsrfGuard } from '../http/csrf.ts';
import type { SubscriptionForms } from '../preferences/index.ts';
import { AppError } from '../shared/errors.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import { localeOf, operatorOf, requireCsrf, viewerOf } from './console-auth.ts';
import { formPath, FORMS_PATH, renderFormPage, renderFormsPage, type FormDraft } from './pages/forms-page.ts';

/** What the forms section is built from (src/composition/console.ts). */
export interface FormsSectionDeps {
  csrf: CsrfGuard;
  forms: SubscriptionForms;
  catalog: SubscriptionCatalog;
  publicUrl: string;
}

const DONE = new Set(['created', 'saved', 'enabled', 'disabled']);

const field = (body: unknown, name: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};
const list = (body: unknown, name: string): string[] => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
};
const draftOf = (body: unknown): FormDraft => ({
  id: field(body, 'id').trim(),
  title: { en: field(body, 'titleEn'), de: field(body, 'titleDe') },
  intro: { en: field(body, 'introEn'), de: field(body, 'introDe') },
  types: list(body, 'types'),
});
const doneOf = (req: Request): string | undefined => (typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : undefined);

/** A refusal of the use case (bad id, invalid fields, unknown type, id taken): shown on the page, nothing stored. */
const isRefusal = (err: unknown): err is AppError => err instanceof AppError && [400, 409, 422].includes(err.status) && err.code !== 'csrf_failed';

/**
 * The subscription forms section (docs/rules.md §8): list, create, edit, enable and disable — only
 * through `SubscriptionForms`, whose input checks apply, with the operator's email as actor.
 * Mounted at /console/forms behind sign-in and the marketer/admin role check.
 */
export function formsRoutes(deps: FormsSectionDeps): Router {
  const router = Router();
  const page = { types: deps.catalog.types, publicUrl: deps.publicUrl };

  const showList = async (req: Request, res: Response, extra: { status?: number; error?: string; draft?: FormDraft } = {}) => {
    const forms = await deps.forms.list();
    const done = doneOf(req);
    res
      .status(extra.status ?? 200)
      .type('html')
      .send(renderFormsPage({ ...page, locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), forms, ...extra, ...(done && !extra.error ? { done } : {}) }));
  };

  const showForm = async (req: Request, res: Response, extra: { status?: number; error?: string; draft?: FormDraft } = {}) => {
    const form = await deps.forms.get(String(req.params.id));
    const done = doneOf(req);
    res
      .status(extra.status ?? 200)
      .type('html')
      .send(renderFormPage({ ...page, locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), form, ...extra, ...(done && !extra.error ? { done } : {}) }));
  };

  /** `invalid_form_id` on a page URL means no such page. */
  const notFoundOnBadId = (err: unknown): never => {
    if (err instanceof AppError && (err.code === 'invalid_form_id' || err.code === 'form_not_found')) throw new AppError('not_found', err.message, { status: 404 });
    throw err;
  };

  router.get('/', (req, res) => showList(req, res));

  router.post('/', requireCsrf(deps.csrf), async (req, res) => {
    const draft = draftOf(req.body);
    try {
      const form = await deps.forms.create({ id: draft.id, title: draft.title, intro: draft.intro, types: draft.types }, operatorOf(res).email);
      res.redirect(303, `${formPath(form.id)}?done=created`);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      await showList(req, res, { status: 422, error: err.message, draft });
    }
  });

  router.get('/:id', (req, res) => showForm(req, res).catch(notFoundOnBadId));

  router.post('/:id', requireCsrf(deps.csrf), async (req, res) => {
    const id = String(req.params.id);
    const draft = { ...draftOf(req.body), id };
    try {
      await deps.forms.update(id, { title: draft.title, intro: draft.intro, types: draft.types }, operatorOf(res).email);
      res.redirect(303, `${formPath(id)}?done=saved`);
    } catch (err) {
      if (!isRefusal(err) || err.code === 'invalid_form_id') return notFoundOnBadId(err);
      await showForm(req, res, { status: 422, error: err.message, draft }).catch(notFoundOnBadId);
    }
  });

  router.post('/:id/enabled', requireCsrf(deps.csrf), async (req, res) => {
    const id = String(req.params.id);
    const enabled = field(req.body, 'enabled') === '1';
    await deps.forms.setEnabled(id, enabled, operatorOf(res).email).catch(notFoundOnBadId);
    res.redirect(303, `${FORMS_PATH}?done=${enabled ? 'enabled' : 'disabled'}`);
  });

  return router;
}
