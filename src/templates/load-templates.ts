import type { TokenService } from '../preferences/index.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import { compileTemplates, formatProblem, type TemplateProblem } from './template-loader.ts';
import { TemplateRegistry } from './template-registry.ts';

export interface LoadTemplatesDeps {
  dir: string;
  catalog: SubscriptionCatalog;
  tokens: TokenService;
  publicUrl: string;
  postalAddress: string;
}

export class TemplateLoadError extends Error {
  override name = 'TemplateLoadError';
  constructor(readonly problems: TemplateProblem[]) {
    super(`templates failed to load:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

/** Compiles every template and proves each renders its sample with the footer. Problems are returned, not thrown. */
export async function loadTemplates(deps: LoadTemplatesDeps): Promise<{ registry: TemplateRegistry; problems: TemplateProblem[] }> {
  const { templates, problems } = await compileTemplates({ dir: deps.dir, catalog: deps.catalog });
  const registry = new TemplateRegistry({ ...deps, templates });
  return { registry, problems: [...problems, ...registry.selfCheck(deps.dir)] };
}

/** Start-up: each problem stops the process with a message naming each file (and line). */
export async function loadTemplatesOrThrow(deps: LoadTemplatesDeps): Promise<TemplateRegistry> {
  const { registry, problems } = await loadTemplates(deps);
  if (problems.length > 0) throw new TemplateLoadError(problems);
  return registry;
}
