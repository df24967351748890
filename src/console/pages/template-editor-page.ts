import { html, type SafeHtml } from '../../http/html.ts';
import { LOCALES, type Locale } from '../../shared/locale.ts';
import { MESSAGE_KINDS } from '../../shared/message-kinds.ts';
import type { TemplateFinding, TemplatePreview, TemplateVersionInfo } from '../../shared/template-authoring.ts';
import { banner, consolePage, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';
import { EDITOR_TEXTS, type EditorTexts } from '../console-texts-editor.ts';
import type { EditorFields } from '../template-editor-form.ts';
import { TEMPLATES_PATH } from './templates-page.ts';
import { NEW_TEMPLATE_PATH, editorPath } from './template-list-page.ts';
import { versionsSection } from './template-versions.ts';

export interface EditorPageData {
  locale: Locale;
  viewer: ConsoleViewer;
  /** Absent for a new template (the name is then a field). */
  name?: string;
  fields: EditorFields;
  /** The subscription types to offer (id and name in the console's language). */
  subscriptionTypes: { id: string; name: string }[];
  draftInfo?: { revision: number; editedBy: string; editedAt: string };
  preview?: TemplatePreview;
  findings?: TemplateFinding[];
  versions?: TemplateVersionInfo[];
  ok?: string[];
  errors?: string[];
  /** This response's CSP nonce: set when the editor's script is served (it then replaces the MJML textarea). */
  nonce?: string;
}

const selected = (on: boolean): SafeHtml | string => (on ? html` selected` : '');

function findingsList(t: EditorTexts, findings: TemplateFinding[] | undefined): SafeHtml {
  if (!findings) return html`<p class="muted">${t.noPreview}</p>`;
  if (findings.length === 0) return html`<p>${t.noFindings}</p>`;
  return html`<ul class="findings">${findings.map(
    (f) => html`<li data-line="${f.line ? String(f.line) : ''}"><strong>${f.severity}</strong> <code>${t.findingAt(f.field, f.line)}</code>: ${f.message}</li>`,
  )}</ul>`;
}

/** A textarea with its label and hint; `mono` for source and JSON. */
function area(id: string, label: string, value: string, o: { hint?: string; invalid?: boolean; rows?: number } = {}): SafeHtml {
  const hintId = `${id}-hint`;
  return html`<div class="field"><label for="${id}" id="${id}-label">${label}</label>${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : ''}<textarea id="${id}" name="${id}" class="json" spellcheck="false" rows="${String(o.rows ?? 8)}"${o.hint ? html` aria-describedby="${hintId}"` : ''}${o.invalid ? html` aria-invalid="true"` : ''}>${value}</textarea></div>`;
}

function sourceForm(o: EditorPageData, t: EditorTexts, action: string): SafeHtml {
  const c = CONSOLE_TEXTS[o.locale];
  const f = o.fields;
  const lang = (l: Locale) => c.localeNames[l];
  const mjmlInvalid = (o.findings ?? []).some((x) => x.field === 'mjml' && x.severity === 'error');
  const nameField = o.name
    ? html`<input type="hidden" name="name" value="${o.name}">`
    : html`<div class="field"><label for="name">${t.templateName}</label><p class="hint" id="name-hint">${t.nameHint}</p><input type="text" id="name" name="name" value="${f.name}" required aria-describedby="name-hint" autocomplete="off"></div>`;
  const actions = o.name
    ? html`<div class="field"><label for="note">${t.publishNote}</label><input type="text" id="note" name="note" value="${f.note}"></div>
<div class="actions"><button type="submit" name="action" value="preview" class="secondary">${t.previewButton}</button> <button type="submit" name="action" value="save" class="secondary">${t.saveDraft}</button> <button type="submit" name="action" value="publish">${t.publish}</button> <button type="submit" name="action" value="test" class="secondary">${t.sendTest}</button></div>`
    : html`<div class="actions"><button type="submit" name="action" value="preview" class="secondary">${t.previewButton}</button> <button type="submit" name="action" value="save">${t.createTemplate}</button></div>`;
  return html`<form method="post" action="${action}" id="editor-form" data-live="${TEMPLATES_PATH}/live"><input type="hidden" name="csrf" value="${o.viewer.csrf}"><input type="hidden" name="revision" value="${f.revision}">
${nameField}
<div class="grid"><div class="field"><label for="kind">${t.kind}</label><select id="kind" name="kind">${MESSAGE_KINDS.map((k) => html`<option value="${k}"${selected(k === f.kind)}>${k}</option>`)}</select></div>
<div class="field"><label for="subscriptionType">${t.subscriptionType}</label><select id="subscriptionType" name="subscriptionType"><option value="">${t.noSubscriptionType}</option>${o.subscriptionTypes.map(
    (s) => html`<option value="${s.id}"${selected(s.id === f.subscriptionType)}>${s.name} (${s.id})</option>`,
  )}</select></div></div>
${LOCALES.map((l) => html`<div class="field"><label for="subject_${l}">${t.subjectIn(lang(l))}</label><input type="text" id="subject_${l}" name="subject_${l}" value="${f.subject[l]}"></div>`)}
${area('mjml', t.mjml, f.mjml, { hint: t.mjmlHint, invalid: mjmlInvalid, rows: 20 })}
${LOCALES.map((l) => area(`strings_${l}`, t.stringsIn(lang(l)), f.strings[l], { hint: t.stringsHint }))}
${area('sampleData', t.sampleData, f.sampleData)}
<div class="field"><label for="locale">${t.previewLocale}</label><select id="locale" name="locale">${LOCALES.map((l) => html`<option value="${l}"${selected(l === f.previewLocale)}>${lang(l)} (${l})</option>`)}</select></div>
${actions}
</form>`;
}

/**
 * The editor (docs/rules.md §14): the source as plain form fields, so that it works without
 * JavaScript (Preview, Save, Publish are form posts re-rendering this page); the preview in a
 * sandboxed iframe (`srcdoc`, no `allow-scripts`); the checker's findings with their lines; the
 * versions with restore and diff.
 */
export function renderEditorPage(o: EditorPageData): string {
  const t = EDITOR_TEXTS[o.locale];
  const c = CONSOLE_TEXTS[o.locale];
  const title = o.name ? t.editorTitle(o.name) : t.newTitle;
  const action = o.name ? editorPath(o.name) : NEW_TEMPLATE_PATH;
  const localeName = c.localeNames[o.fields.previewLocale];
  // a source that does not compile has no preview (html ''): its findings say why
  const preview = o.preview && o.preview.html !== ''
    ? html`<dl class="kv"><dt>${t.previewSubject}</dt><dd>${o.preview.subject}</dd></dl>
<iframe class="preview" sandbox srcdoc="${o.preview.html}" title="${t.previewFrame(o.name ?? o.fields.name, localeName)}"></iframe>`
    : html`<p class="muted">${t.noPreview}</p>`;
  const body = html`<p><a href="${TEMPLATES_PATH}">${c.allTemplates}</a></p>
<h1>${title}</h1>
${o.ok && o.ok.length > 0 ? banner('ok', o.ok) : ''}
${o.errors && o.errors.length > 0 ? banner('error', o.errors) : ''}
${o.draftInfo ? html`<p class="muted">${t.revision(o.draftInfo.revision, o.draftInfo.editedBy, o.draftInfo.editedAt)}</p>` : ''}
<section class="card" aria-labelledby="h-source"><h2 id="h-source">${t.sourceHeading}</h2>${sourceForm(o, t, action)}</section>
<section class="card" aria-labelledby="h-findings"><h2 id="h-findings">${t.findingsHeading}</h2><div id="findings">${findingsList(t, o.findings)}</div></section>
<section class="card" aria-labelledby="h-preview"><h2 id="h-preview">${t.previewHeading(localeName)}</h2><div id="preview" data-subject-label="${t.previewSubject}" data-frame-title="${t.previewFrame(o.name ?? o.fields.name, localeName)}">${preview}</div></section>
${o.name && o.versions ? versionsSection({ t, name: o.name, csrf: o.viewer.csrf, versions: o.versions }) : ''}
${o.nonce ? html`<script src="${TEMPLATES_PATH}/assets/template-editor.js" nonce="${o.nonce}" defer></script>` : ''}`;
  return consolePage({ locale: o.locale, title, viewer: o.viewer, current: 'templates', body });
}
