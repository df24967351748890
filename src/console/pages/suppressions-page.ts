import { html } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { SUPPRESSION_KINDS, type SuppressionPage } from '../../subscriptions/index.ts';
import { banner, breakable, consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';
import { addressPath, legalBasisSelect } from './address-page.ts';

export interface SuppressionFilter {
  reason?: string;
  since?: string;
}

/** The §7 list with its filters, one lift form per row, and a link to the next page. */
export function renderSuppressionsPage(o: { locale: Locale; viewer: ConsoleViewer; filter: SuppressionFilter; page: SuppressionPage; done?: string; error?: string }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const next = o.page.nextCursor
    ? `/console/suppressions?${new URLSearchParams({ ...(o.filter.reason ? { reason: o.filter.reason } : {}), ...(o.filter.since ? { since: o.filter.since } : {}), cursor: o.page.nextCursor }).toString()}`
    : undefined;
  const rows = o.page.suppressions.map(
    (s, i) => html`<tr><td><a href="${addressPath(s.address)}">${breakable(s.address)}</a></td><td>${s.reason}</td><td>${s.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</td><td>${s.source}</td><td>${s.detail ?? ''}</td>
<td><form method="post" action="${addressPath(s.address)}/lift-suppression"><input type="hidden" name="csrf" value="${o.viewer.csrf}"><input type="hidden" name="back" value="suppressions">
${s.reason === 'complaint' ? legalBasisSelect(t, `basis-${i}`) : ''}
<div class="field"><label for="explanation-${i}">${t.explanation}</label><textarea id="explanation-${i}" name="explanation" maxlength="2000"></textarea></div>
<button type="submit" aria-label="${`${t.liftSuppression}: ${s.address}`}">${t.liftSuppression}</button></form></td></tr>`,
  );
  const body = html`<h1 id="h-title">${t.suppressionsTitle}</h1>
${o.done && t.done[o.done] ? banner('ok', [t.done[o.done]!]) : ''}
${o.error ? banner('error', [t.refused, o.error]) : ''}
<div class="card"><form method="get" action="/console/suppressions">
<div class="field"><label for="reason">${t.reasonFilter}</label><select id="reason" name="reason"><option value="">${t.anyReason}</option>${SUPPRESSION_KINDS.map(
    (k) => html`<option value="${k}"${k === o.filter.reason ? html` selected` : ''}>${k}</option>`,
  )}</select></div>
<div class="field"><label for="since">${t.since}</label><input id="since" name="since" type="date" value="${o.filter.since ?? ''}"></div>
<button type="submit">${t.filter}</button></form></div>
<div class="card">${
    rows.length === 0
      ? html`<p>${t.noSuppressions}</p>`
      : scrollTable('h-title', html`<table><thead><tr><th scope="col">${t.address}</th><th scope="col">${t.reason}</th><th scope="col">${t.at}</th><th scope="col">${t.source}</th><th scope="col">${t.detail}</th><th scope="col">${t.liftSuppression}</th></tr></thead><tbody>${rows}</tbody></table>`)
  }
${next ? html`<p><a href="${next}">${t.nextPage}</a></p>` : ''}</div>`;
  return consolePage({ locale: o.locale, title: t.suppressionsTitle, viewer: o.viewer, current: 'suppressions', body });
}
