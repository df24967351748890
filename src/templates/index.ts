import type { Router } from 'express';
import type { AppContext, Roles } from '../app.ts';
import { loadTemplatesOrThrow } from './load-templates.ts';
import { createTemplatesRouter } from './templates-router.ts';
import type { TemplateRenderer } from './types.ts';

export type { TemplateRenderer, RenderInput, RenderedMessage, TemplateInfo, Locale } from './types.ts';
export { LOCALES } from './types.ts';
export { TemplateLoadError, loadTemplates } from './load-templates.ts';

export interface TemplatesModule {
  renderer: TemplateRenderer;
  /** GET /templates and GET /templates/:name/preview, for /v1 (api role only). */
  apiRouter?: Router;
}

/** Compiles every template once (MJML, Handlebars, text); a broken template stops start-up, naming the file. */
export async function createTemplatesModule(ctx: AppContext, roles: Roles): Promise<TemplatesModule> {
  const { config } = ctx;
  const registry = await loadTemplatesOrThrow({
    dir: config.templatesDir,
    catalog: ctx.catalog,
    tokens: ctx.tokens,
    publicUrl: config.publicUrl,
    postalAddress: config.postalAddress,
  });
  ctx.logger.info({ event: 'templates.loaded', count: registry.list().length }, `templates compiled: ${registry.list().map((t) => t.name).join(', ')}`);
  return { renderer: registry, ...(roles.api ? { apiRouter: createTemplatesRouter({ registry }) } : {}) };
}
