import { Router, type Request, type Response } from 'express';
import type { EnqueueResult, TestMessageInput } from '../messages/index.ts';
import type { CsrfGuard } from '../http/csrf.ts';
import { AppError } from '../shared/errors.ts';
import { isLocale, type Locale } from '../shared/locale.ts';
import { PREVIEW_ADDRESS, type TemplateProblem, type TemplateRegistry } from '../templates/index.ts';
import { localeOf, operatorOf, requireCsrf, viewerOf } from './console-auth.ts';
import { CONSOLE_TEXTS } from './console-texts.ts';
import { renderTemplatePage, renderTemplatesPage, type Finding, type TemplatePageData } from './pages/templates-page.ts';
import { previewPageHeaders } from './console-security.ts';
import type { TemplateAuthoring } from '../shared/template-authoring.ts';
import { templateEditorRoutes, type TemplateEditorDeps } from './template-editor-routes.ts';

/** What the templates section is built from (src/composition/console.ts). */
export interface TemplatesSectionDeps {
  csrf: CsrfGuard;
  renderer: TemplateRegistry;
  /** The checker's findings, from the one `loadTemplates` at start-up: nothing is compiled per request. */
  problems: TemplateProblem[];
  /** The test send (`MessageEnqueuer.enqueueTest`): transactional, marked as a test. */
  sendTest: (input: TestMessageInput) => Promise<EnqueueResult>;
  /** Stored templates (#24): when given, the list shows them too and the editor is mounted. */
  authoring?: TemplateAuthoring;
  /** The editor's bundled script (read by composition); without it the editor is the plain form. */
  editorScript?: string;
  /** The subscription types the editor offers. */
  catalog: TemplateEditorDeps['catalog'];
}

const field = (body: unknown, name: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};
const localeParam = (value: unknown): Locale => (isLocale(value) ? value : 'en');

/** A finding belongs to a template when its file is in the template's folder; a partial's finding belongs to all. */
const belongsTo = (name: string) => (p: TemplateProblem) => {
  const parts = p.file.split(/[\\/]/);
  return parts.includes(name) || parts.includes('_partials');
};

type DataResult = { ok: true; data: Record<string, unknown> } | { ok: false; error: string };

/**
 * The templates section (docs/rules.md §8): every template; one template's preview per locale with its
 * sample data or pasted JSON; the checker's findings; "Send me a test" to the operator's own address.
 * Mounted at /console/templates behind sign-in and the marketer/admin role check.
 */
export function templatesRoutes(deps: TemplatesSectionDeps): Router {
  const router = Router();
  // the editor's routes first: with stored templates the list at / is theirs (file and stored)
  if (deps.authoring) router.use(templateEditorRoutes({ csrf: deps.csrf, authoring: deps.authoring, catalog: deps.catalog, ...(deps.editorScript === undefined ? {} : { script: deps.editorScript }), sendTest: deps.sendTest }));
  const findingsOf = (name: string): Finding[] => deps.problems.filter(belongsTo(name));

  const templateOf = (req: Request) => {
    const name = String(req.params.name);
    const template = deps.renderer.get(name);
    if (!template) throw new AppError('not_found', `No template named "${name.slice(0, 100)}"`, { status: 404 });
    return template;
  };
  const sampleJson = (name: string, locale: Locale) => JSON.stringify(deps.renderer.sampleData(name, locale) ?? {}, null, 2);

  const parseData = (res: Response, text: string): DataResult => {
    const t = CONSOLE_TEXTS[localeOf(res)];
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      return { ok: false, error: t.invalidJson(err instanceof Error ? err.message : String(err)) };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, error: t.dataNotObject };
    return { ok: true, data: data as Record<string, unknown> };
  };

  /** Renders the preview; a render failure (data that does not fill the template) is a message on the page, 422. */
  const show = (req: Request, res: Response, o: { previewLocale: Locale; data: string; parsed?: Record<string, unknown>; error?: string; sentTo?: string }) => {
    const template = templateOf(req);
    const page: TemplatePageData = { locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), template, findings: findingsOf(template.name), previewLocale: o.previewLocale, data: o.data };
    let status = 200;
    if (o.error) {
      page.error = o.error;
      status = 422;
    } else if (o.parsed) {
      try {
        page.rendered = deps.renderer.render({ template: template.name, data: o.parsed, locale: o.previewLocale, to: PREVIEW_ADDRESS, messageId: 'preview' });
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 422) throw err;
        page.error = err.message;
        status = 422;
      }
    }
    if (o.sentTo) page.sentTo = o.sentTo;
    res.status(status).set(previewPageHeaders(page.rendered?.html)).type('html').send(renderTemplatePage(page));
  };

  router.get('/', (req, res) => {
    res.type('html').send(renderTemplatesPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), templates: deps.renderer.list(), findingsOf }));
  });

  router.get('/:name', (req, res) => {
    const { name } = templateOf(req);
    const previewLocale = localeParam(req.query.locale);
    show(req, res, { previewLocale, data: sampleJson(name, previewLocale), parsed: deps.renderer.sampleData(name, previewLocale) ?? {} });
  });

  router.post('/:name/preview', requireCsrf(deps.csrf), (req, res) => {
    templateOf(req);
    const text = field(req.body, 'data');
    const previewLocale = localeParam(field(req.body, 'locale'));
    const parsed = parseData(res, text);
    show(req, res, parsed.ok ? { previewLocale, data: text, parsed: parsed.data } : { previewLocale, data: text, error: parsed.error });
  });

  router.post('/:name/test', requireCsrf(deps.csrf), async (req, res) => {
    const { name } = templateOf(req);
    const text = field(req.body, 'data');
    const previewLocale = localeParam(field(req.body, 'locale'));
    const parsed = parseData(res, text);
    if (!parsed.ok) return show(req, res, { previewLocale, data: text, error: parsed.error });
    const to = operatorOf(res).email;
    try {
      await deps.sendTest({ template: name, data: parsed.data, locale: previewLocale, to });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return show(req, res, { previewLocale, data: text, error: err.message });
    }
    show(req, res, { previewLocale, data: text, parsed: parsed.data, sentTo: to });
  });

  return router;
}
