import type { Router } from 'express';
import type { Config } from '../config.ts';
import type { TokenService } from '../preferences/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import { TemplateLoadError, createTemplatesRouter, loadTemplates, type TemplateProblem, type TemplateRegistry } from '../templates/index.ts';

export interface Templates {
  renderer: TemplateRegistry;
  /** The checker's findings, for the console's templates section. */
  problems: TemplateProblem[];
  /** `GET /v1/templates` and the previews (api role). */
  routes(): Router;
}

/** The MJML templates, compiled once: a broken template stops start-up, naming the file. */
export async function buildTemplates(deps: { config: Config; logger: Logger; catalog: SubscriptionCatalog; tokens: TokenService }): Promise<Templates> {
  const { config } = deps;
  const { registry: renderer, problems } = await loadTemplates({ dir: config.templatesDir, catalog: deps.catalog, tokens: deps.tokens, publicUrl: config.publicUrl, postalAddress: config.postalAddress });
  if (problems.length > 0) throw new TemplateLoadError(problems);
  deps.logger.info({ event: 'templates.loaded', count: renderer.list().length }, `templates compiled: ${renderer.list().map((t) => t.name).join(', ')}`);
  return { renderer, problems, routes: () => createTemplatesRouter({ registry: renderer }) };
}
