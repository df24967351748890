import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { AppError } from '../shared/errors.ts';
import type { Locale } from '../shared/locale.ts';
import type { TemplateAuthoring, TemplateDraft, TemplateFinding, TemplateListItem, TemplatePreview, TemplateSource, TemplateVersionInfo } from '../shared/template-authoring.ts';
import { readFileTemplateSource } from './file-template-source.ts';
import type { StoredTemplateCompiler } from './stored-template-compiler.ts';
import type { StoredTemplateRepository } from './stored-template-repository.ts';
import { PREVIEW_ADDRESS, type TemplateRegistry } from './template-registry.ts';
import { MAX_SOURCE_BYTES, STORED_NAME, sourceBytes } from './template-source.ts';

export interface TemplateAuthoringDeps {
  repository: StoredTemplateRepository;
  compiler: StoredTemplateCompiler;
  /** The file templates: their names are taken, their sources are read-only. */
  files: TemplateRegistry;
  templatesDir: string;
  /** Tells every process (this one first) that `name` has a new newest version (composition/templates.ts). */
  announce: (name: string) => Promise<void>;
}

type Role = 'admin' | 'marketer';

const notFound = (name: string) => new AppError('template_not_found', `No stored template named "${name.slice(0, 100)}"`, { status: 404 });
const versionNotFound = (name: string, version: number) => new AppError('version_not_found', `Template "${name.slice(0, 100)}" has no version ${version}`, { status: 404 });

/** Only marketing may be published by a marketer: transactional and one_to_one mail bypasses opt-outs, so only admin publishes it. */
function mayPublish(source: TemplateSource, role: Role, name: string): void {
  if (source.kind !== 'marketing' && role !== 'admin') {
    throw new AppError('template_kind_forbidden', `"${name}" is a ${source.kind} template: only an admin may publish it`, { status: 403 });
  }
}

/** A source as one text, for diffs: the settings as JSON, then the MJML. */
const sourceText = (s: TemplateSource) =>
  `${JSON.stringify({ kind: s.kind, subscriptionType: s.subscriptionType, subject: s.subject, strings: s.strings, sampleData: s.sampleData }, null, 2)}\n--- template.mjml ---\n${s.mjml}${s.mjml.endsWith('\n') ? '' : '\n'}`;

/** The authoring use cases of docs/rules.md §14; the API and the console's editor both call these. */
export class TemplateAuthoringService implements TemplateAuthoring {
  constructor(private readonly deps: TemplateAuthoringDeps) {}

  async list(): Promise<TemplateListItem[]> {
    const files: TemplateListItem[] = this.deps.files.list().map((t) => ({ name: t.name, origin: 'file', kind: t.kind, ...(t.subscriptionType ? { subscriptionType: t.subscriptionType } : {}) }));
    const stored = (await this.deps.repository.listDrafts()).map(
      (d): TemplateListItem => ({
        name: d.name,
        origin: 'stored',
        kind: d.source.kind,
        ...(d.source.subscriptionType ? { subscriptionType: d.source.subscriptionType } : {}),
        ...(d.latestVersion ? { publishedVersion: d.latestVersion } : {}),
        draftChanged: d.published === undefined || JSON.stringify(d.published) !== JSON.stringify(d.source),
        lastEditor: d.editedBy,
        lastEditedAt: d.editedAt,
      }),
    );
    return [...files, ...stored].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): ReturnType<TemplateAuthoring['get']> {
    if (this.deps.files.get(name)) {
      const file = readFileTemplateSource(join(this.deps.templatesDir, name));
      return { origin: 'file', versions: [], ...(file ? { fileSource: file.source } : {}) };
    }
    const draft = await this.deps.repository.findDraft(name);
    if (!draft) throw notFound(name);
    const { latestVersion, ...rest } = draft;
    const [versions, published] = await Promise.all([this.deps.repository.listVersions(name), latestVersion ? this.deps.repository.findVersion(name, latestVersion) : undefined]);
    return { origin: 'stored', draft: rest, versions, ...(published ? { published } : {}) };
  }

  async saveDraft(name: string, source: TemplateSource, by: { actor: string; basedOn: number | null }): Promise<TemplateDraft> {
    if (!STORED_NAME.test(name)) throw new AppError('invalid_template_name', 'A template name is 1-63 lower-case letters, digits, - and _, starting with a letter or digit', { status: 400 });
    if (sourceBytes(source) > MAX_SOURCE_BYTES) throw new AppError('template_too_large', `A template's source may be at most ${MAX_SOURCE_BYTES / 1024} KB`, { status: 413 });
    if (this.deps.files.get(name)) throw new AppError('template_name_taken', `"${name}" is a file template: copy it under another name to edit it`, { status: 409 });
    return this.deps.repository.saveDraft(name, source, by.actor, by.basedOn);
  }

  async check(source: TemplateSource): Promise<TemplateFinding[]> {
    return (await this.deps.compiler.compile('draft', source)).findings;
  }

  async preview(source: TemplateSource, locale: Locale, data?: Record<string, unknown>): Promise<TemplatePreview> {
    const { compiled, findings } = await this.deps.compiler.compile('draft', source);
    if (!compiled) return { subject: '', html: '', text: '', findings };
    try {
      const out = this.deps.files.renderTemplate(compiled, { template: 'draft', data: data ?? source.sampleData, locale, to: PREVIEW_ADDRESS, messageId: 'preview' });
      return { subject: out.subject, html: out.html, text: out.text, findings };
    } catch (err) {
      return { subject: '', html: '', text: '', findings: [...findings, { severity: 'error', field: 'sampleData', message: err instanceof Error ? err.message : String(err) }] };
    }
  }

  async publish(name: string, by: { actor: string; role: Role; note: string }): Promise<TemplateVersionInfo> {
    const draft = await this.deps.repository.findDraft(name);
    if (!draft) throw notFound(name);
    mayPublish(draft.source, by.role, name);
    await this.refuseInvalid(name, draft.source);
    const info = await this.deps.repository.addVersion(name, draft.source, { author: by.actor, note: by.note });
    await this.deps.announce(name);
    return info;
  }

  async restore(name: string, version: number, by: { actor: string; role: Role; note: string }): Promise<TemplateVersionInfo> {
    const draft = await this.deps.repository.findDraft(name);
    if (!draft) throw notFound(name);
    const old = await this.deps.repository.findVersion(name, version);
    if (!old) throw versionNotFound(name, version);
    mayPublish(old.source, by.role, name);
    await this.refuseInvalid(name, old.source); // the partials or the catalog may have changed since
    // The draft first, on the revision just read: a concurrent edit makes this a 409 and nothing is published.
    await this.deps.repository.saveDraft(name, old.source, by.actor, draft.revision);
    const info = await this.deps.repository.addVersion(name, old.source, { author: by.actor, note: by.note || `restored version ${version}`, restoredFrom: version });
    await this.deps.announce(name);
    return info;
  }

  async diff(name: string, from: number, to: number): Promise<string> {
    const sourceOf = async (n: number) => {
      if (n === 0) {
        const draft = await this.deps.repository.findDraft(name);
        if (!draft) throw notFound(name);
        return draft.source;
      }
      const v = await this.deps.repository.findVersion(name, n);
      if (!v) throw versionNotFound(name, n);
      return v.source;
    };
    const [a, b] = await Promise.all([sourceOf(from), sourceOf(to)]);
    const label = (n: number) => `${name}@${n === 0 ? 'draft' : `v${n}`}`;
    return createTwoFilesPatch(label(from), label(to), sourceText(a), sourceText(b));
  }

  async copyFromFile(fileTemplate: string, newName: string, by: { actor: string }): Promise<TemplateDraft> {
    const file = this.deps.files.get(fileTemplate) ? readFileTemplateSource(join(this.deps.templatesDir, fileTemplate)) : undefined;
    if (!file) throw new AppError('template_not_found', `No file template named "${fileTemplate.slice(0, 100)}"`, { status: 404 });
    return this.saveDraft(newName, file.source, { actor: by.actor, basedOn: null });
  }

  private async refuseInvalid(name: string, source: TemplateSource): Promise<void> {
    const { compiled, findings } = await this.deps.compiler.compile(name, source);
    if (!compiled) throw new AppError('template_invalid', `"${name}" has errors: ${findings.filter((f) => f.severity === 'error').length} to fix before it can be published`, { status: 422, details: { findings } });
  }
}
