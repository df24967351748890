import { html, type SafeHtml } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import type { TemplateListItem } from '../../shared/template-authoring.ts';
import { banner, consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';
import { EDITOR_TEXTS, type EditorTexts } from '../console-texts-editor.ts';
import { TEMPLATES_PATH, templatePath } from './templates-page.ts';

export const NEW_TEMPLATE_PATH = `${TEMPLATES_PATH}/new`;
export const editorPath = (name: string): string => `${TEMPLATES_PATH}/edit/${encodeURIComponent(name)}`;
export const copyPath = (name: string): string => `${TEMPLATES_PATH}/copy/${encodeURIComponent(name)}`;

function status(t: EditorTexts, item: TemplateListItem): SafeHtml | string {
  if (item.origin === 'file') return '';
  const published = item.publishedVersion ? t.published(item.publishedVersion) : t.neverPublished;
  return html`${published}${item.draftChanged ? html`; ${t.draftChanged}` : ''}`;
}

/** File templates are read-only: their row links to the preview and offers "copy to edit" under a new name. */
function actions(t: EditorTexts, item: TemplateListItem, csrf: string): SafeHtml {
  if (item.origin === 'stored') return html`<a href="${editorPath(item.name)}">${t.edit}<span class="sr-only"> ${item.name}</span></a>`;
  const id = `copy-${item.name}`;
  return html`<form class="inline" method="post" action="${copyPath(item.name)}"><input type="hidden" name="csrf" value="${csrf}"><label class="sr-only" for="${id}">${t.copyName} (${item.name})</label><input type="text" id="${id}" name="newName" value="${`${item.name}-copy`}" required> <button type="submit" class="secondary">${t.copyToEdit}<span class="sr-only"> ${item.name}</span></button></form>`;
}

/**
 * Every template, file and stored, with its status (published version, unpublished draft changes,
 * last editor); stored ones open the editor, file ones their read-only preview and "copy to edit".
 */
export function renderTemplateListPage(o: { locale: Locale; viewer: ConsoleViewer; items: TemplateListItem[]; errors?: string[] }): string {
  const c = CONSOLE_TEXTS[o.locale];
  const t = EDITOR_TEXTS[o.locale];
  const rows = o.items.map(
    (item) =>
      html`<tr><th scope="row"><a href="${item.origin === 'file' ? templatePath(item.name) : editorPath(item.name)}">${item.name}</a></th><td>${t.originNames[item.origin]}</td><td>${item.kind}</td><td>${item.subscriptionType ?? ''}</td><td>${status(t, item)}</td><td>${item.lastEditor ? html`${item.lastEditor}<br><span class="muted">${item.lastEditedAt ?? ''}</span>` : ''}</td><td>${actions(t, item, o.viewer.csrf)}</td></tr>`,
  );
  const body = html`<h1>${c.sections.templates}</h1>
${o.errors && o.errors.length > 0 ? banner('error', o.errors) : ''}
<p><a href="${NEW_TEMPLATE_PATH}">${t.newTemplate}</a></p>
<section class="card" aria-labelledby="h-templates"><h2 id="h-templates">${c.allTemplates}</h2>
${scrollTable('h-templates', html`<table><thead><tr><th scope="col">${c.name}</th><th scope="col">${t.origin}</th><th scope="col">${c.kind}</th><th scope="col">${c.subscriptionType}</th><th scope="col">${t.status}</th><th scope="col">${t.lastEditor}</th><th scope="col"><span class="sr-only">${t.edit}</span></th></tr></thead><tbody>${rows}</tbody></table>`)}</section>`;
  return consolePage({ locale: o.locale, title: c.sections.templates, viewer: o.viewer, current: 'templates', body });
}
