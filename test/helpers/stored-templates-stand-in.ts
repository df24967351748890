import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { AppError } from '../../src/shared/errors.ts';
import type { Locale } from '../../src/shared/locale.ts';
import type { TemplateAuthoring, TemplateDraft, TemplateFinding, TemplateSource, TemplateVersionInfo } from '../../src/shared/template-authoring.ts';
import type { TemplateRegistry } from '../../src/templates/index.ts';

/**
 * A STAND-IN for stored templates, in memory, until the stored-templates service is merged: the
 * console editor's tests run against it through the real console wiring (`templates.authoring`).
 * After the merge the lead replaces the one call of `storedTemplatesStandIn` with the real service
 * (and deletes this file). It keeps the interface's contract where the editor depends on it:
 * revisions and 409 `draft_conflict`, 422 `template_invalid` with findings at MJML lines (real MJML
 * strict validation), 403 for a marketer publishing a transactional template, versions and restore.
 */
export function storedTemplatesStandIn(deps: { files: Pick<TemplateRegistry, 'list'> }): TemplateAuthoring {
  const stored = new Map<string, { draft: TemplateDraft; versions: (TemplateVersionInfo & { source: TemplateSource })[] }>();
  const now = () => new Date().toISOString();
  const fileNames = () => new Set(deps.files.list().map((t) => t.name));
  const entry = (name: string) => {
    const e = stored.get(name);
    if (!e) throw new AppError('template_not_found', `No stored template "${name}"`, { status: 404 });
    return e;
  };
  const info = ({ source: _s, ...v }: TemplateVersionInfo & { source: TemplateSource }): TemplateVersionInfo => v;

  const render = async (src: TemplateSource, locale: Locale, data: Record<string, unknown>) => {
    const fill = (text: string) => Handlebars.compile(text)({ ...data, t: src.strings[locale] ?? {} });
    const result = await mjml2html(src.mjml, { validationLevel: 'soft' });
    const findings: TemplateFinding[] = result.errors.map((e) => ({ severity: 'error', message: `MJML: ${e.message}`, field: 'mjml', line: e.line }));
    return { subject: fill(src.subject[locale] ?? ''), html: fill(result.html), text: '', findings };
  };
  const check = async (src: TemplateSource): Promise<TemplateFinding[]> => {
    const findings = (await render(src, 'en', src.sampleData)).findings;
    if (src.kind === 'marketing' && !src.subscriptionType) findings.push({ severity: 'error', message: 'A marketing template names its subscription type', field: 'subscriptionType' });
    return findings;
  };
  const lines = (src: TemplateSource) => JSON.stringify(src, null, 2).split('\n');
  const sourceAt = (name: string, version: number) => {
    const e = entry(name);
    if (version === 0) return e.draft.source;
    const v = e.versions.find((x) => x.version === version);
    if (!v) throw new AppError('version_not_found', `No version ${version}`, { status: 404 });
    return v.source;
  };
  const publishSource = (name: string, src: TemplateSource, by: { actor: string; role: string; note: string }, restoredFrom?: number) => {
    const e = entry(name);
    if (src.kind === 'transactional' && by.role !== 'admin') throw new AppError('template_kind_forbidden', 'Only an admin publishes a transactional template', { status: 403 });
    const v = { name, version: (e.versions[0]?.version ?? 0) + 1, author: by.actor, at: now(), note: by.note, source: src, ...(restoredFrom ? { restoredFrom } : {}) };
    e.versions.unshift(v);
    return info(v);
  };

  return {
    async list() {
      const files = deps.files.list().map((t) => ({ name: t.name, origin: 'file' as const, kind: t.kind, ...(t.subscriptionType ? { subscriptionType: t.subscriptionType } : {}) }));
      const mine = [...stored.values()].map(({ draft, versions }) => ({
        name: draft.name,
        origin: 'stored' as const,
        kind: draft.source.kind,
        ...(draft.source.subscriptionType ? { subscriptionType: draft.source.subscriptionType } : {}),
        ...(versions[0] ? { publishedVersion: versions[0].version } : {}),
        draftChanged: JSON.stringify(versions[0]?.source) !== JSON.stringify(draft.source),
        lastEditor: draft.editedBy,
        lastEditedAt: draft.editedAt,
      }));
      return [...files, ...mine];
    },
    async get(name) {
      const e = entry(name);
      const newest = e.versions[0];
      return { origin: 'stored', draft: e.draft, versions: e.versions.map(info), ...(newest ? { published: newest } : {}) };
    },
    async saveDraft(name, source, by) {
      const e = stored.get(name);
      if (!e && (by.basedOn !== null || fileNames().has(name))) throw new AppError('template_name_taken', `A template named "${name}" exists`, { status: 409 });
      if (e && by.basedOn !== e.draft.revision) throw new AppError('draft_conflict', 'Saved meanwhile', { status: 409, details: { editedBy: e.draft.editedBy, editedAt: e.draft.editedAt, revision: e.draft.revision } });
      const draft = { name, source, revision: (e?.draft.revision ?? 0) + 1, editedBy: by.actor, editedAt: now() };
      stored.set(name, { draft, versions: e?.versions ?? [] });
      return draft;
    },
    check,
    async preview(source, locale, data) {
      return render(source, locale, data ?? source.sampleData);
    },
    async publish(name, by) {
      const e = entry(name);
      const findings = await check(e.draft.source);
      if (findings.some((f) => f.severity === 'error')) throw new AppError('template_invalid', 'The template has errors', { status: 422, details: { findings } });
      return publishSource(name, e.draft.source, by);
    },
    async restore(name, version, by) {
      const src = sourceAt(name, version);
      const v = publishSource(name, src, by, version);
      const e = entry(name);
      e.draft = { ...e.draft, source: src, revision: e.draft.revision + 1, editedBy: by.actor, editedAt: now() };
      return v;
    },
    async diff(name, from, to) {
      const a = lines(sourceAt(name, from));
      const b = lines(sourceAt(name, to));
      // line by line, enough for a stand-in: the real service computes a proper unified diff
      const out: string[] = [];
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] === b[i]) continue;
        if (a[i] !== undefined) out.push(`-${a[i]}`);
        if (b[i] !== undefined) out.push(`+${b[i]}`);
      }
      return out.join('\n');
    },
    async copyFromFile(fileTemplate, newName, by) {
      const file = deps.files.list().find((t) => t.name === fileTemplate);
      if (!file) throw new AppError('template_not_found', `No file template "${fileTemplate}"`, { status: 404 });
      const source: TemplateSource = { kind: file.kind, ...(file.subscriptionType ? { subscriptionType: file.subscriptionType } : {}), subject: { en: fileTemplate, de: fileTemplate }, mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>{{t.greeting}}</mj-text></mj-column></mj-section></mj-body></mjml>', strings: { en: { greeting: 'Hello' }, de: { greeting: 'Hallo' } }, sampleData: {} };
      return this.saveDraft(newName, source, { actor: by.actor, basedOn: null });
    },
  };
}
