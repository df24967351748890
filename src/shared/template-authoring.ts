/**
 * What the console's template editor may ask of stored templates (docs/rules.md §14): the
 * templates domain implements it, composition wires it, the console only renders it. The shapes
 * live here so that both may import them without importing each other.
 */
import type { Locale } from './locale.ts';
import type { MessageKind } from './message-kinds.ts';

/**
 * A stored template's source, shaped like a file template (meta.json + template.mjml +
 * sample.json): one MJML source whose texts come from `strings[locale]` (`{{t.key}}`) and the data,
 * one subject per locale.
 */
export interface TemplateSource {
  kind: MessageKind;
  /** Marketing only: the subscription type (from the catalog). */
  subscriptionType?: string;
  subject: Record<Locale, string>;
  mjml: string;
  /** Per-locale texts, `{{t.<key>}}` in the MJML. */
  strings: Record<Locale, Record<string, string>>;
  sampleData: Record<string, unknown>;
}

/** A checker finding, at its line in `mjml` (1-based) when it has one. */
export interface TemplateFinding {
  severity: 'error' | 'warning';
  message: string;
  /** Where: `mjml` (line/column), `subject.<locale>`, `strings.<locale>`, `subscriptionType`, `sampleData`. */
  field: string;
  line?: number;
  column?: number;
}

/** The draft of a stored template: what the editor edits. `revision` grows by one per save. */
export interface TemplateDraft {
  name: string;
  source: TemplateSource;
  revision: number;
  editedBy: string;
  editedAt: string;
}

/** One immutable published version. */
export interface TemplateVersionInfo {
  name: string;
  version: number;
  author: string;
  at: string;
  note: string;
  /** Set when this version republished an older one (a rollback). */
  restoredFrom?: number;
}

export interface TemplateListItem {
  name: string;
  origin: 'file' | 'stored';
  kind: MessageKind;
  subscriptionType?: string;
  /** Stored: the newest published version (absent before the first publish). */
  publishedVersion?: number;
  /** Stored: the draft differs from the newest published version. */
  draftChanged?: boolean;
  lastEditor?: string;
  lastEditedAt?: string;
}

export interface TemplatePreview {
  subject: string;
  html: string;
  text: string;
  findings: TemplateFinding[];
}

/**
 * The authoring use cases. Errors are AppError: 404 `template_not_found`, 409 `template_name_taken`
 * (a file template or another stored one has the name), 409 `draft_conflict` (saved on an older
 * revision; `details: {editedBy, editedAt, revision}`), 413 `template_too_large` (> 512 KB), 422
 * `template_invalid` (`details: {findings}`; the draft is kept), 403 `template_kind_forbidden` (a
 * marketer publishing a transactional template; only admin may), 404 `version_not_found`.
 */
export interface TemplateAuthoring {
  list(): Promise<TemplateListItem[]>;
  /** A stored template's draft, its newest published version and every version (newest first); file templates are `origin: 'file'` with their source read-only. */
  get(name: string): Promise<{ origin: 'file' | 'stored'; draft?: TemplateDraft; published?: TemplateVersionInfo & { source: TemplateSource }; versions: TemplateVersionInfo[]; fileSource?: TemplateSource }>;
  /** Creates the template (revision 1) or saves a new draft revision: `basedOn` must be the latest revision, else 409. */
  saveDraft(name: string, source: TemplateSource, by: { actor: string; basedOn: number | null }): Promise<TemplateDraft>;
  /** Compiles and checks a source without storing anything. */
  check(source: TemplateSource): Promise<TemplateFinding[]>;
  /** Renders a source (saved or not) with its sample data (or `data`) for one locale, footer included. */
  preview(source: TemplateSource, locale: Locale, data?: Record<string, unknown>): Promise<TemplatePreview>;
  /** Compiles and checks the draft, then stores it as the next immutable version. */
  publish(name: string, by: { actor: string; role: 'admin' | 'marketer'; note: string }): Promise<TemplateVersionInfo>;
  /** Republishes an old version as the newest (a rollback), and makes it the draft. */
  restore(name: string, version: number, by: { actor: string; role: 'admin' | 'marketer'; note: string }): Promise<TemplateVersionInfo>;
  /** A unified diff of two versions' sources (`0` = the current draft). */
  diff(name: string, from: number, to: number): Promise<string>;
  /** "Copy to edit": a new stored template (draft only) from a file template's source. */
  copyFromFile(fileTemplate: string, newName: string, by: { actor: string }): Promise<TemplateDraft>;
}
