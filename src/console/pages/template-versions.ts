import { html, type SafeHtml } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import type { TemplateVersionInfo } from '../../shared/template-authoring.ts';
import { consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { EDITOR_TEXTS, type EditorTexts } from '../console-texts-editor.ts';
import { editorPath } from './template-list-page.ts';

/** The versions of a stored template, newest first, each with a restore button; and the diff form (a GET: it changes nothing). */
export function versionsSection(o: { t: EditorTexts; name: string; csrf: string; versions: TemplateVersionInfo[] }): SafeHtml {
  const { t } = o;
  const base = editorPath(o.name);
  if (o.versions.length === 0) return html`<section class="card" aria-labelledby="h-versions"><h2 id="h-versions">${t.versionsHeading}</h2><p>${t.noVersions}</p></section>`;
  const rows = o.versions.map(
    (v) => html`<tr><th scope="row">${String(v.version)}</th><td>${v.author}</td><td>${v.at}</td><td>${v.note}${v.restoredFrom ? html` ${t.restoredFrom(v.restoredFrom)}` : ''}</td>
<td><form class="inline" method="post" action="${base}/restore"><input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="version" value="${String(v.version)}"><button type="submit" class="secondary" aria-label="${`${t.restore} ${t.version} ${v.version}`}">${t.restore}</button></form></td></tr>`,
  );
  const options = (pick: number) =>
    html`<option value="0"${pick === 0 ? html` selected` : ''}>${t.draft}</option>${o.versions.map((v) => html`<option value="${String(v.version)}"${v.version === pick ? html` selected` : ''}>${t.version} ${String(v.version)}</option>`)}`;
  const newest = o.versions[0]!.version;
  const older = o.versions[1]?.version ?? newest;
  return html`<section class="card" aria-labelledby="h-versions"><h2 id="h-versions">${t.versionsHeading}</h2>
${scrollTable('h-versions', html`<table><thead><tr><th scope="col">${t.version}</th><th scope="col">${t.author}</th><th scope="col">${t.when}</th><th scope="col">${t.note}</th><th scope="col"><span class="sr-only">${t.restore}</span></th></tr></thead><tbody>${rows}</tbody></table>`)}
<h3 id="h-diff">${t.diffHeading}</h3>
<form method="get" action="${base}/diff" aria-labelledby="h-diff"><div class="grid"><div class="field"><label for="diff-from">${t.diffFrom}</label><select id="diff-from" name="from">${options(older)}</select></div>
<div class="field"><label for="diff-to">${t.diffTo}</label><select id="diff-to" name="to">${options(newest === older ? 0 : newest)}</select></div></div>
<div class="actions"><button type="submit" class="secondary">${t.showDiff}</button></div></form></section>`;
}

/** A unified diff, line by line, additions and removals marked by their sign (and colour). */
export function renderDiffPage(o: { locale: Locale; viewer: ConsoleViewer; name: string; from: number; to: number; diff: string }): string {
  const t = EDITOR_TEXTS[o.locale];
  const label = (v: number) => (v === 0 ? t.draft : `${t.version} ${v}`);
  const title = t.diffTitle(o.name, label(o.from), label(o.to));
  const lines = o.diff.split('\n');
  const body = html`<p><a href="${editorPath(o.name)}">${t.backToEditor}</a></p>
<h1>${title}</h1>
<section class="card" aria-labelledby="h-diff"><h2 id="h-diff">${t.diffHeading}</h2>
${o.diff.trim() === '' ? html`<p>${t.noDifference}</p>` : html`<pre class="diff" tabindex="0" aria-labelledby="h-diff">${lines.map((l) => html`<span class="${l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx'}">${l}</span>\n`)}</pre>`}</section>`;
  return consolePage({ locale: o.locale, title, viewer: o.viewer, current: 'templates', body });
}
