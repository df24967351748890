import { html, type SafeHtml } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { LOCALES, type RenderedMessage, type TemplateInfo } from '../../templates/index.ts';
import { banner, consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS, type ConsoleTexts } from '../console-texts.ts';

export const TEMPLATES_PATH = '/console/templates';
export const templatePath = (name: string): string => `${TEMPLATES_PATH}/${encodeURIComponent(name)}`;

/** One finding of the template checker (scripts/templates.ts `check`), as the page shows it. */
export interface Finding {
  file: string;
  line?: number;
  message: string;
}

function findingsList(t: ConsoleTexts, findings: Finding[]): SafeHtml {
  if (findings.length === 0) return html`<p>${t.noFindings}</p>`;
  return html`<ul>${findings.map((f) => html`<li><code>${f.file}${f.line ? `:${f.line}` : ''}</code>: ${f.message}</li>`)}</ul>`;
}

/** Every template with its kind, subscription type and how many findings the checker has for it. */
export function renderTemplatesPage(o: { locale: Locale; viewer: ConsoleViewer; templates: TemplateInfo[]; findingsOf: (name: string) => Finding[] }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const rows = o.templates.map(
    (tpl) =>
      html`<tr><th scope="row"><a href="${templatePath(tpl.name)}">${tpl.name}</a></th><td>${tpl.kind}</td><td>${tpl.subscriptionType ?? ''}</td><td>${o.findingsOf(tpl.name).length}</td></tr>`,
  );
  const body = html`<h1>${t.sections.templates}</h1>
<section class="card" aria-labelledby="h-templates"><h2 id="h-templates">${t.allTemplates}</h2>
${scrollTable('h-templates', html`<table><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.kind}</th><th scope="col">${t.subscriptionType}</th><th scope="col">${t.findings}</th></tr></thead><tbody>${rows}</tbody></table>`)}</section>`;
  return consolePage({ locale: o.locale, title: t.sections.templates, viewer: o.viewer, current: 'templates', body });
}

export interface TemplatePageData {
  locale: Locale;
  viewer: ConsoleViewer;
  template: TemplateInfo;
  findings: Finding[];
  /** The preview's locale and the JSON in the data field. */
  previewLocale: Locale;
  data: string;
  rendered?: RenderedMessage;
  error?: string;
  sentTo?: string;
}

/**
 * One template: the preview (its HTML in a sandboxed iframe's `srcdoc`, escaped as an attribute;
 * no `allow-scripts`, no `allow-same-origin`), the form to change locale and data, the test send,
 * and the checker's findings.
 */
export function renderTemplatePage(o: TemplatePageData): string {
  const t = CONSOLE_TEXTS[o.locale];
  const { template } = o;
  const base = templatePath(template.name);
  const localeName = t.localeNames[o.previewLocale];
  const preview = o.rendered
    ? html`<dl class="kv"><dt>${t.subject}</dt><dd>${o.rendered.subject}</dd></dl>
<iframe class="preview" sandbox srcdoc="${o.rendered.html}" title="${t.previewFrame(template.name, localeName)}"></iframe>`
    : html`<p>${t.previewFailed}</p>`;
  const body = html`<p><a href="${TEMPLATES_PATH}">${t.allTemplates}</a></p>
<h1>${t.templateTitle(template.name)}</h1>
${o.sentTo ? banner('ok', [t.testSent(o.sentTo)]) : ''}
${o.error ? banner('error', [o.error]) : ''}
<dl class="kv card"><dt>${t.kind}</dt><dd>${template.kind}</dd>${template.subscriptionType ? html`<dt>${t.subscriptionType}</dt><dd>${template.subscriptionType}</dd>` : ''}</dl>
<section class="card" aria-labelledby="h-data"><h2 id="h-data">${t.dataHeading}</h2>
<form method="post" action="${base}/preview"><input type="hidden" name="csrf" value="${o.viewer.csrf}">
<div class="field"><label for="locale">${t.locale}</label><select id="locale" name="locale">${LOCALES.map(
    (l) => html`<option value="${l}"${l === o.previewLocale ? html` selected` : ''}>${t.localeNames[l]} (${l})</option>`,
  )}</select></div>
<div class="field"><label for="data">${t.data}</label><p class="hint" id="data-hint">${t.dataHint}</p><textarea id="data" name="data" class="json" spellcheck="false" aria-describedby="data-hint"${o.error ? html` aria-invalid="true"` : ''}>${o.data}</textarea></div>
<div class="actions"><button type="submit">${t.preview}</button> <button type="submit" class="secondary" formaction="${base}/test">${t.sendTest}</button></div>
</form></section>
<section class="card" aria-labelledby="h-preview"><h2 id="h-preview">${t.previewHeading(localeName)}</h2>${preview}</section>
<section class="card" aria-labelledby="h-findings"><h2 id="h-findings">${t.findings}</h2>${findingsList(t, o.findings)}</section>`;
  return consolePage({ locale: o.locale, title: t.templateTitle(template.name), viewer: o.viewer, current: 'templates', body });
}
