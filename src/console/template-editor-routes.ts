import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { CsrfGuard } from '../http/csrf.ts';
import type { EnqueueResult, TestMessageInput } from '../messages/index.ts';
import { AppError } from '../shared/errors.ts';
import { isLocale, type Locale } from '../shared/locale.ts';
import type { TemplateAuthoring, TemplateFinding, TemplateSource } from '../shared/template-authoring.ts';
import { localeOf, operatorOf, requireCsrf, viewerOf } from './console-auth.ts';
import { editorPageHeaders } from './console-security.ts';
import { CONSOLE_TEXTS } from './console-texts.ts';
import { EDITOR_TEXTS, type EditorTexts } from './console-texts-editor.ts';
import { renderEditorPage, type EditorPageData } from './pages/template-editor-page.ts';
import { editorPath, renderTemplateListPage } from './pages/template-list-page.ts';
import { renderDiffPage } from './pages/template-versions.ts';
import { blankFields, fieldsOf, readEditorForm, sourceOf, TEMPLATE_NAME } from './template-editor-form.ts';

/** What the editor is built from: stored templates through their interface only (src/shared/template-authoring.ts). */
export interface TemplateEditorDeps {
  csrf: CsrfGuard;
  authoring: TemplateAuthoring;
  /** The subscription types a marketing template may name. */
  catalog: { list(locale: Locale): { id: string; name: string }[] };
  /** The editor's bundled script (console-editor/, `npm run build:editor`); without it the editor is the plain form. */
  script?: string;
  /** "Send me a test" (messages' test send: transactional, `[Test]`, to the operator). */
  sendTest?: (input: TestMessageInput) => Promise<EnqueueResult>;
}

type Outcome = Pick<EditorPageData, 'errors' | 'findings'> & { status: number };

const detailsOf = (err: AppError): Record<string, unknown> => (typeof err.details === 'object' && err.details !== null ? (err.details as Record<string, unknown>) : {});
const findingsIn = (details: Record<string, unknown>): TemplateFinding[] | undefined => (Array.isArray(details.findings) ? (details.findings as TemplateFinding[]) : undefined);

/** The refusals of the authoring use cases as the page shows them; anything else is the console's error page. */
function refusal(err: unknown, t: EditorTexts): Outcome {
  if (!(err instanceof AppError) || err.status >= 500 || err.code === 'template_not_found') throw err;
  const details = detailsOf(err);
  if (err.code === 'draft_conflict') return { status: 409, errors: [t.draftConflict(String(details.editedBy ?? '?'), String(details.editedAt ?? '?'))] };
  const findings = findingsIn(details);
  return { status: err.status, errors: [err.message], ...(findings ? { findings } : {}) };
}

const count = z.string().regex(/^\d{1,9}$/).transform(Number).optional().catch(undefined);
const flashSchema = z.object({
  saved: count,
  published: count,
  restored: z
    .string()
    .regex(/^\d{1,9}-\d{1,9}$/)
    .transform((v) => v.split('-').map(Number) as [number, number])
    .optional()
    .catch(undefined),
});

const same = (a: TemplateSource, b: TemplateSource): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The template editor (docs/rules.md §14), inside the templates section (admin, marketer): the list
 * of file and stored templates, a new template, the editor of a stored one with Preview, Save draft
 * and Publish as form posts, "copy to edit" of a file template, versions with diff and restore.
 * Every change goes through `TemplateAuthoring`, which checks and stores; this only renders.
 */
export function templateEditorRoutes(deps: TemplateEditorDeps): Router {
  const router = Router();
  const { authoring } = deps;
  const texts = (res: Response) => EDITOR_TEXTS[localeOf(res)];
  const localeName = (res: Response) => (l: Locale) => CONSOLE_TEXTS[localeOf(res)].localeNames[l];
  const nameOf = (req: Request): string => {
    const name = String(req.params.name);
    if (!TEMPLATE_NAME.test(name)) throw new AppError('not_found', 'No such template', { status: 404 });
    return name;
  };

  /** Renders the editor; with a source, its preview in the chosen locale and the checker's findings. */
  const show = async (req: Request, res: Response, page: Omit<EditorPageData, 'locale' | 'viewer' | 'subscriptionTypes'>, status = 200, src?: TemplateSource) => {
    const locale = localeOf(res);
    // a fresh nonce per response: the page's one script (and CodeMirror's styles) may run, nothing else
    const nonce = deps.script === undefined ? undefined : randomBytes(16).toString('base64');
    const data: EditorPageData = { locale, viewer: viewerOf(deps.csrf, req, res), subscriptionTypes: deps.catalog.list(locale), ...page, ...(nonce ? { nonce } : {}) };
    if (src) {
      const preview = await authoring.preview(src, data.fields.previewLocale);
      data.preview = preview;
      // a refusal's findings (publish) come first; otherwise the preview's are the checker's
      data.findings = page.findings ?? preview.findings;
    }
    res.status(status).set(editorPageHeaders(data.preview?.html, nonce)).type('html').send(renderEditorPage(data));
  };

  const loadStored = async (name: string) => {
    const got = await authoring.get(name);
    if (got.origin !== 'stored' || !got.draft) throw new AppError('not_found', 'No such stored template', { status: 404 });
    return { draft: got.draft, versions: got.versions };
  };

  const script = deps.script;
  if (script !== undefined) {
    router.get('/assets/template-editor.js', (_req, res) => {
      res.type('text/javascript').send(script);
    });
  }

  /** The preview and the checker's answer for the form as it is (the script's frame, gutter and list): form errors are findings too. */
  router.post('/live/check', requireCsrf(deps.csrf), async (req, res) => {
    const t = texts(res);
    const fields = readEditorForm(req.body);
    const { source, errors } = sourceOf(fields, t, localeName(res));
    const preview = source ? await authoring.preview(source, fields.previewLocale) : undefined;
    const findings: TemplateFinding[] = [...errors.map((message) => ({ severity: 'error' as const, message, field: t.sourceHeading })), ...(preview?.findings ?? [])];
    res.json({ subject: preview?.subject ?? '', ...(preview ? { html: preview.html } : {}), findings, labels: findings.map((f) => t.findingAt(f.field, f.line)), noFindings: t.noFindings });
  });

  router.get('/', async (req, res) => {
    res.type('html').send(renderTemplateListPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), items: await authoring.list() }));
  });

  router.get('/new', async (req, res) => {
    await show(req, res, { fields: blankFields() });
  });

  router.post('/new', requireCsrf(deps.csrf), async (req, res) => {
    const t = texts(res);
    const fields = readEditorForm(req.body);
    const { source, errors } = sourceOf(fields, t, localeName(res));
    if (!TEMPLATE_NAME.test(fields.name)) errors.unshift(t.badName);
    if (!source || errors.length > 0) return show(req, res, { fields, errors }, 422, source);
    if (field(req.body, 'action') !== 'save') return show(req, res, { fields }, 200, source);
    try {
      const draft = await authoring.saveDraft(fields.name, source, { actor: operatorOf(res).email, basedOn: null });
      res.redirect(303, `${editorPath(draft.name)}?saved=${draft.revision}`);
    } catch (err) {
      const o = refusal(err, t);
      await show(req, res, { fields, ...o }, o.status, source);
    }
  });

  router.post('/copy/:name', requireCsrf(deps.csrf), async (req, res) => {
    const t = texts(res);
    const newName = field(req.body, 'newName').trim();
    const fail = async (errors: string[], status: number) => res.status(status).type('html').send(renderTemplateListPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), items: await authoring.list(), errors }));
    if (!TEMPLATE_NAME.test(newName)) return fail([t.badName], 422);
    try {
      const draft = await authoring.copyFromFile(String(req.params.name), newName, { actor: operatorOf(res).email });
      res.redirect(303, editorPath(draft.name));
    } catch (err) {
      const o = refusal(err, t);
      await fail(o.errors ?? [], o.status);
    }
  });

  router.get('/edit/:name', async (req, res) => {
    const t = texts(res);
    const name = nameOf(req);
    const { draft, versions } = await loadStored(name);
    const previewLocale = isLocale(req.query.locale) ? req.query.locale : 'en';
    // the outcome of the post that redirected here (post/redirect/get); anything else in the query is ignored
    const flash = flashSchema.parse(req.query);
    const ok: string[] = [];
    if (flash.saved) ok.push(t.saved(flash.saved));
    if (flash.published) ok.push(t.publishedAs(flash.published));
    if (flash.restored) ok.push(t.restored(flash.restored[0], flash.restored[1]));
    await show(req, res, { name, fields: fieldsOf(name, draft.source, draft.revision, previewLocale), draftInfo: draft, versions, ok }, 200, draft.source);
  });

  router.post('/edit/:name', requireCsrf(deps.csrf), async (req, res) => {
    const t = texts(res);
    const name = nameOf(req);
    const { draft, versions } = await loadStored(name);
    const fields = { ...readEditorForm(req.body), name };
    const page = { name, fields, draftInfo: draft, versions };
    const { source, errors } = sourceOf(fields, t, localeName(res));
    if (!source || errors.length > 0) return show(req, res, { ...page, errors }, 422, source);
    const action = field(req.body, 'action');
    const operator = operatorOf(res);
    if (action === 'test' && deps.sendTest) {
      // What a message would get: the newest published version, here with the form's sample data.
      const published = versions[0];
      if (!published) return show(req, res, { ...page, errors: [t.testNeedsPublish] }, 422, source);
      try {
        await deps.sendTest({ template: name, data: source.sampleData, locale: fields.previewLocale, to: operator.email });
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 422) throw err;
        return show(req, res, { ...page, errors: [err.message] }, 422, source);
      }
      return show(req, res, { ...page, ok: [t.testSent(operator.email, published.version)] }, 200, source);
    }
    if (action !== 'save' && action !== 'publish') return show(req, res, page, 200, source);
    const basedOn = Number.parseInt(fields.revision, 10);
    try {
      // Publish publishes what the form shows: its text is saved first unless it is the draft already.
      let saved: number | undefined;
      if (action === 'save' || !same(source, draft.source) || basedOn !== draft.revision) {
        saved = (await authoring.saveDraft(name, source, { actor: operator.email, basedOn: Number.isSafeInteger(basedOn) ? basedOn : 0 })).revision;
      }
      if (action === 'save') return res.redirect(303, `${editorPath(name)}?saved=${saved}`);
      const version = await authoring.publish(name, { actor: operator.email, role: operator.role === 'admin' ? 'admin' : 'marketer', note: fields.note });
      res.redirect(303, `${editorPath(name)}?published=${version.version}`);
    } catch (err) {
      const o = refusal(err, t);
      // the saved revision may have moved on (a save before a refused publish): the form follows it
      const now = await loadStored(name);
      const keep = o.status === 409 ? fields : { ...fields, revision: String(now.draft.revision) };
      await show(req, res, { ...page, fields: keep, draftInfo: now.draft, versions: now.versions, ...o }, o.status, source);
    }
  });

  router.post('/edit/:name/restore', requireCsrf(deps.csrf), async (req, res) => {
    const t = texts(res);
    const name = nameOf(req);
    const from = Number.parseInt(field(req.body, 'version'), 10);
    if (!Number.isSafeInteger(from) || from < 1) throw new AppError('bad_version', 'No such version', { status: 400 });
    const operator = operatorOf(res);
    try {
      const version = await authoring.restore(name, from, { actor: operator.email, role: operator.role === 'admin' ? 'admin' : 'marketer', note: t.restoreNote(from) });
      res.redirect(303, `${editorPath(name)}?restored=${from}-${version.version}`);
    } catch (err) {
      const o = refusal(err, t);
      const { draft, versions } = await loadStored(name);
      await show(req, res, { name, fields: fieldsOf(name, draft.source, draft.revision), draftInfo: draft, versions, ...o }, o.status, draft.source);
    }
  });

  router.get('/edit/:name/diff', async (req, res) => {
    const name = nameOf(req);
    const num = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
    const from = num(req.query.from);
    const to = num(req.query.to);
    if (from === undefined || to === undefined) throw new AppError('bad_version', 'Choose two versions to compare', { status: 400 });
    const diff = await authoring.diff(name, from, to);
    res.type('html').send(renderDiffPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), name, from, to, diff }));
  });

  return router;
}

const field = (body: unknown, name: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};

