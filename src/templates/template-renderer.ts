import { AppError } from '../shared/errors.ts';
import type { TemplateRegistry } from './template-registry.ts';
import type { TemplateVersionsCache } from './template-versions-cache.ts';
import type { Locale, RenderInput, RenderedMessage, TemplateInfo, TemplateRenderer } from './types.ts';

/**
 * File templates and stored ones behind the one TemplateRenderer the send path, the previews and
 * GET /v1/templates use. A name is unique across both (the authoring service refuses a stored name
 * a file template has), so a file template is looked up first.
 */
export class AllTemplates implements TemplateRenderer {
  constructor(private readonly deps: { files: TemplateRegistry; stored: TemplateVersionsCache }) {}

  list(): TemplateInfo[] {
    // A file template deployed later under a stored template's name wins (composition logs `templates.name_shadowed`).
    return [...this.deps.files.list().map((t) => ({ ...t, origin: 'file' as const })), ...this.deps.stored.list().filter((t) => !this.deps.files.get(t.name))];
  }

  /** A stored template is known once it has a published version; its `version` is what an enqueue now is pinned to. */
  get(name: string): TemplateInfo | undefined {
    return this.deps.files.get(name) ?? this.deps.stored.head(name);
  }

  sampleData(name: string, locale: Locale): Record<string, unknown> | undefined {
    return this.deps.files.sampleData(name, locale) ?? this.deps.stored.head(name)?.sampleData;
  }

  /** A stored template's fields are those of its newest version, once `prepare`d in this process (enqueue does). */
  requiredFields(name: string, locale: Locale): readonly string[] | undefined {
    if (this.deps.files.get(name)) return this.deps.files.requiredFields(name, locale);
    const version = this.deps.stored.head(name)?.version;
    return version === undefined ? undefined : this.deps.stored.get(name, version)?.requiredFields[locale];
  }

  async prepare(template: string, version: number | undefined): Promise<void> {
    if (this.deps.files.get(template)) return;
    const pinned = version ?? this.deps.stored.head(template)?.version;
    if (pinned !== undefined) await this.deps.stored.load(template, pinned);
  }

  /** Synchronous and per-message only: a stored version must have been `prepare`d (compiled) in this process. */
  render(input: RenderInput): RenderedMessage {
    if (this.deps.files.get(input.template)) return this.deps.files.render(input);
    const version = input.templateVersion ?? this.deps.stored.head(input.template)?.version;
    const compiled = version === undefined ? undefined : this.deps.stored.get(input.template, version);
    if (!compiled) throw new AppError('render_failed', `unknown template "${input.template}"${version === undefined ? '' : ` version ${version}`}`, { status: 422 });
    return this.deps.files.renderTemplate(compiled, input);
  }
}
