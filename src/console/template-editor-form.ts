import { z } from 'zod';
import { LOCALES, isLocale, type Locale } from '../shared/locale.ts';
import { MESSAGE_KINDS, type MessageKind } from '../shared/message-kinds.ts';
import type { TemplateSource } from '../shared/template-authoring.ts';
import type { EditorTexts } from './console-texts-editor.ts';

/**
 * The editor's form as the marketer typed it: every field a string, so that a refused form comes
 * back exactly as sent (their text is never lost to a validation error or a save conflict).
 */
export interface EditorFields {
  name: string;
  kind: string;
  subscriptionType: string;
  subject: Record<Locale, string>;
  mjml: string;
  strings: Record<Locale, string>;
  sampleData: string;
  /** The draft revision the form was loaded from; empty for a new template. */
  revision: string;
  previewLocale: Locale;
  note: string;
}

/** A template's name as the templates domain accepts it (template-loader.ts): part of URLs and of API calls. */
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const text = (max: number) => z.string().max(max).catch('');
// Browsers send textarea newlines as CRLF; the checker's line numbers count LF lines either way.
const source = (max: number) => text(max).transform((s) => s.replace(/\r\n/g, '\n'));
const formSchema = z.object({
  name: text(64),
  kind: text(32),
  subscriptionType: text(100),
  subject_en: text(998),
  subject_de: text(998),
  mjml: source(512 * 1024),
  strings_en: source(64 * 1024),
  strings_de: source(64 * 1024),
  sampleData: source(64 * 1024),
  revision: text(12),
  locale: text(5),
  note: text(500),
});

/** Reads the posted form; anything missing or of the wrong type is an empty field. */
export function readEditorForm(body: unknown): EditorFields {
  const f = formSchema.parse(typeof body === 'object' && body !== null ? body : {});
  return {
    name: f.name.trim(),
    kind: f.kind,
    subscriptionType: f.subscriptionType,
    subject: { en: f.subject_en, de: f.subject_de },
    mjml: f.mjml,
    strings: { en: f.strings_en, de: f.strings_de },
    sampleData: f.sampleData,
    revision: f.revision,
    previewLocale: isLocale(f.locale) ? f.locale : 'en',
    note: f.note.trim(),
  };
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** A stored source as the form shows it. */
export function fieldsOf(name: string, src: TemplateSource, revision: number | null, previewLocale: Locale = 'en'): EditorFields {
  return {
    name,
    kind: src.kind,
    subscriptionType: src.subscriptionType ?? '',
    subject: { ...src.subject },
    mjml: src.mjml,
    strings: { en: json(src.strings.en ?? {}), de: json(src.strings.de ?? {}) },
    sampleData: json(src.sampleData),
    revision: revision === null ? '' : String(revision),
    previewLocale,
    note: '',
  };
}

/** The form of a new template: an empty MJML skeleton to start from. */
export function blankFields(): EditorFields {
  const mjml = '<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-text>{{t.greeting}}</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n';
  return fieldsOf('', { kind: 'marketing', subject: { en: '', de: '' }, mjml, strings: { en: { greeting: 'Hello' }, de: { greeting: 'Hallo' } }, sampleData: {} }, null);
}

const stringsSchema = z.record(z.string(), z.string());
const objectSchema = z.record(z.string(), z.unknown());

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseJson<T>(raw: string, label: string, schema: z.ZodType<T>, t: EditorTexts, notRight: (label: string) => string): Parsed<T> {
  let value: unknown;
  try {
    value = JSON.parse(raw.trim() === '' ? '{}' : raw);
  } catch (err) {
    return { ok: false, error: t.invalidJson(label, err instanceof Error ? err.message : String(err)) };
  }
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: notRight(label) };
}

/**
 * The source the form describes, or the reasons it does not describe one (each a sentence for the
 * page). `labels` are the fields' visible labels, so a message names what the marketer sees.
 */
export function sourceOf(f: EditorFields, t: EditorTexts, localeName: (l: Locale) => string): { source?: TemplateSource; errors: string[] } {
  const errors: string[] = [];
  const kind = (MESSAGE_KINDS as readonly string[]).includes(f.kind) ? (f.kind as MessageKind) : undefined;
  if (!kind) errors.push(t.fieldRequired(t.kind));
  if (f.mjml.trim() === '') errors.push(t.fieldRequired(t.mjml));
  const strings = {} as Record<Locale, Record<string, string>>;
  for (const l of LOCALES) {
    const parsed = parseJson(f.strings[l], t.stringsIn(localeName(l)), stringsSchema, t, t.notStrings);
    if (parsed.ok) strings[l] = parsed.value;
    else errors.push(parsed.error);
  }
  const data = parseJson(f.sampleData, t.sampleData, objectSchema, t, t.notAnObject);
  if (!data.ok) errors.push(data.error);
  if (errors.length > 0 || !kind || !data.ok) return { errors };
  const src: TemplateSource = { kind, subject: { ...f.subject }, mjml: f.mjml, strings, sampleData: data.value };
  if (kind === 'marketing' && f.subscriptionType !== '') src.subscriptionType = f.subscriptionType;
  return { source: src, errors };
}
