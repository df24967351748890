import { html, type SafeHtml } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { LEGAL_BASES, type AddressView, type ConsentEventView, type SubscriptionType } from '../../subscriptions/index.ts';
import type { StoredMessage } from '../../messages/index.ts';
import { banner, breakable, consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS, type ConsoleTexts } from '../console-texts.ts';

export const addressPath = (address: string): string => `/console/addresses/${encodeURIComponent(address)}`;

export interface AddressPageData {
  view: AddressView;
  /** Whether any state is recorded (a never-seen address has version 0). */
  known: boolean;
  types: SubscriptionType[];
  history: ConsentEventView[];
  messages: StoredMessage[];
}

const when = (date: Date | string | undefined): string => (date ? new Date(date).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');

export const legalBasisSelect = (t: ConsoleTexts, id: string): SafeHtml =>
  html`<div class="field"><label for="${id}">${t.legalBasis}</label><select id="${id}" name="legalBasis"><option value="">${t.chooseLegalBasis}</option>${LEGAL_BASES.map(
    (b) => html`<option value="${b}">${b}</option>`,
  )}</select></div>`;

/** before → after of one event, in words an operator reads ("newsletter: unsubscribed → subscribed"). */
function describeChange(e: ConsentEventView): string[] {
  const lines: string[] = [];
  if (e.before.optedOutOfAll !== undefined || e.after.optedOutOfAll !== undefined) lines.push(`optedOutOfAll: ${String(e.before.optedOutOfAll ?? false)} → ${String(e.after.optedOutOfAll ?? false)}`);
  const types = new Set([...Object.keys(e.before.subscriptions ?? {}), ...Object.keys(e.after.subscriptions ?? {})]);
  for (const type of types) lines.push(`${type}: ${e.before.subscriptions?.[type] ?? 'not_specified'} → ${e.after.subscriptions?.[type] ?? 'not_specified'}`);
  if (e.before.suppression !== undefined || e.after.suppression !== undefined) lines.push(`suppression: ${e.before.suppression?.kind ?? 'none'} → ${e.after.suppression?.kind ?? 'none'}`);
  return lines;
}

function timeline(t: ConsoleTexts, history: ConsentEventView[]): SafeHtml {
  if (history.length === 0) return html`<p>${t.noEvents}</p>`;
  const item = (e: ConsentEventView) => {
    const rows: [string, string | SafeHtml | undefined][] = [
      [t.consentEvent, breakable(e.id)],
      [t.source, e.source],
      [t.actor, e.actor],
      [t.ip, e.ip],
      [t.userAgent, e.userAgent],
      [t.legalBasis, e.legalBasis],
      [t.explanation, e.legalBasisExplanation],
      [t.message, e.messageId],
      [t.detail, e.feedback ? `${e.feedback.provider} ${e.feedback.eventId}${e.feedback.diagnostic ? `: ${e.feedback.diagnostic}` : ''}` : undefined],
    ];
    return html`<li id="${eventAnchor(e.version)}"><h3><time datetime="${new Date(e.at).toISOString()}">${when(e.at)}</time></h3>
<dl class="kv"><dt>${t.change}</dt><dd>${describeChange(e).map((line, i) => html`${i > 0 ? html`<br>` : ''}${line}`)}</dd>
${rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></li>`;
  };
  return html`<ol class="timeline">${[...history].reverse().map(item)}</ol>`;
}

/** The timeline entry of the event that produced state version `version` (a message row links to it). */
const eventAnchor = (version: number): string => `event-${version}`;

/** The rule that decided a message, and a link to the consent event the state it read rests on (none for version 0). */
function decisionCell(t: ConsoleTexts, m: StoredMessage, shown: Set<number>): SafeHtml | string {
  if (!m.decision) return ''; // not decided yet, failed before the check, or recorded before decisions were kept
  const { rule, stateVersion } = m.decision;
  if (stateVersion === 0) return html`${rule} · <span class="muted">${t.noConsentEvent}</span>`;
  return shown.has(stateVersion) ? html`${rule} · <a href="#${eventAnchor(stateVersion)}">${t.consentEventLink(stateVersion)}</a>` : html`${rule} · ${t.consentEventLink(stateVersion)}`;
}

function messagesTable(t: ConsoleTexts, messages: StoredMessage[], history: ConsentEventView[]): SafeHtml {
  if (messages.length === 0) return html`<p>${t.noMessages}</p>`;
  const shown = new Set(history.map((e) => e.version));
  return scrollTable('h-messages', html`<table><thead><tr><th scope="col">${t.created}</th><th scope="col">${t.message}</th><th scope="col">${t.template}</th><th scope="col">${t.kind}</th><th scope="col">${t.status}</th><th scope="col">${t.reason}</th><th scope="col">${t.decision}</th></tr></thead>
<tbody>${messages.map(
    (m) =>
      html`<tr><td>${when(m.createdAt)}</td><td>${m._id}</td><td>${m.template}</td><td>${m.kind}${m.subscriptionType ? ` (${m.subscriptionType})` : ''}</td><td>${m.status}</td><td>${m.reason ?? ''}</td><td>${decisionCell(t, m, shown)}</td></tr>`,
  )}</tbody></table>`);
}

/** The address page: state, the change forms, the consent timeline and recent messages. */
export function renderAddressPage(o: { locale: Locale; viewer: ConsoleViewer; data: AddressPageData; done?: string; error?: string }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const { view, types } = o.data;
  const base = addressPath(view.address);
  const csrf = html`<input type="hidden" name="csrf" value="${o.viewer.csrf}">`;
  const nameOf = (id: string) => types.find((ty) => ty.id === id)?.name[o.locale] ?? id;
  const stateRows = types.map((ty) => {
    const state = view.subscriptions[ty.id] ?? 'not_specified';
    const action =
      state === 'unsubscribed'
        ? ''
        : html`<form class="inline" method="post" action="${base}/unsubscribe">${csrf}<input type="hidden" name="type" value="${ty.id}"><button type="submit" class="secondary" aria-label="${t.unsubscribeFrom(ty.name[o.locale])}">${t.unsubscribe}</button></form>`;
    return html`<tr><th scope="row">${ty.name[o.locale]} <span class="muted">(${ty.id})</span></th><td>${t.states[state]}</td><td>${action}</td></tr>`;
  });
  const s = view.suppression;
  // the title's address may wrap at its punctuation, never inside a word
  const [titleBefore, titleAfter] = t.addressTitle('\u0000').split('\u0000');
  const body = html`<h1>${titleBefore}${breakable(view.address)}${titleAfter}</h1>
${o.done && t.done[o.done] ? banner('ok', [t.done[o.done]!]) : ''}
${o.error ? banner('error', [t.refused, o.error]) : ''}
${o.data.known ? '' : html`<p>${t.noRecordedState}</p>`}
<section class="card" aria-labelledby="h-state"><h2 id="h-state">${t.stateHeading}</h2>
${scrollTable('h-state', html`<table class="states"><thead><tr><th scope="col">${t.type}</th><th scope="col">${t.stateColumn}</th><td></td></tr></thead><tbody>${stateRows}</tbody></table>`)}
<dl class="kv"><dt>${t.optedOutOfAll}</dt><dd>${view.optedOutOfAll ? t.yes : t.no}</dd>
<dt>${t.suppression}</dt><dd>${s ? `${s.kind} · ${when(s.at)} · ${s.source}${s.detail ? ` · ${s.detail}` : ''}` : t.none}</dd></dl>
</section>
<div class="grid">
<section class="card" aria-labelledby="h-resub"><h2 id="h-resub">${t.resubscribeHeading}</h2><p class="hint">${t.resubscribeHint}</p>
<form method="post" action="${base}/resubscribe">${csrf}
<fieldset><legend>${t.typesLegend}</legend>${types.map(
    (ty) => html`<div class="check"><input type="checkbox" id="rs-${ty.id}" name="types" value="${ty.id}"><label for="rs-${ty.id}">${nameOf(ty.id)}</label></div>`,
  )}
${view.optedOutOfAll ? html`<div class="check"><input type="checkbox" id="rs-clear" name="clearOptOut" value="1"><label for="rs-clear">${t.clearOptOut}</label></div>` : ''}</fieldset>
${legalBasisSelect(t, 'rs-basis')}
<div class="field"><label for="rs-explanation">${t.explanation}</label><textarea id="rs-explanation" name="explanation" maxlength="2000"></textarea></div>
<button type="submit">${t.resubscribe}</button></form>
</section>
${view.optedOutOfAll ? '' : html`<section class="card" aria-labelledby="h-optout"><h2 id="h-optout">${t.optOutAllHeading}</h2><form method="post" action="${base}/opt-out">${csrf}<button type="submit" class="danger">${t.optOutAll}</button></form></section>`}
${s ? html`<section class="card" aria-labelledby="h-lift"><h2 id="h-lift">${t.liftHeading}</h2>${s.kind === 'complaint' ? html`<p class="hint">${t.liftNeedsLegalBasis}</p>` : ''}
<form method="post" action="${base}/lift-suppression">${csrf}
${s.kind === 'complaint' ? legalBasisSelect(t, 'lift-basis') : ''}
<div class="field"><label for="lift-explanation">${t.explanation}</label><textarea id="lift-explanation" name="explanation" maxlength="2000"></textarea></div>
<button type="submit">${t.liftSuppression}</button></form></section>` : ''}
</div>
<section class="card" aria-labelledby="h-history"><h2 id="h-history">${t.timelineHeading}</h2>${timeline(t, o.data.history)}</section>
<section class="card" aria-labelledby="h-messages"><h2 id="h-messages">${t.messagesHeading}</h2>${messagesTable(t, o.data.messages, o.data.history)}</section>`;
  return consolePage({ locale: o.locale, title: t.addressTitle(view.address), viewer: o.viewer, current: 'addresses', body });
}

/** The search form, and the one exact match when the query is a valid address. */
export function renderSearchPage(o: { locale: Locale; viewer: ConsoleViewer; q: string; match?: { address: string; known: boolean }; invalid?: boolean }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const body = html`<div class="card"><h1>${t.sections.addresses}</h1>
<form method="get" action="/console/addresses" role="search"><div class="field"><label for="q">${t.searchLabel}</label><p class="hint" id="q-hint">${t.searchHint}</p>
<input id="q" name="q" type="search" aria-describedby="q-hint" value="${o.q}"${o.invalid ? html` aria-invalid="true"` : ''}></div><button type="submit">${t.search}</button></form></div>
${o.invalid ? banner('error', [t.invalidAddress]) : ''}
${o.match ? html`<div class="card"><h2>${t.results}</h2><ul><li><a href="${addressPath(o.match.address)}">${breakable(o.match.address)}</a>${o.match.known ? '' : html` <span class="muted">— ${t.noRecordedState}</span>`}</li></ul></div>` : ''}`;
  return consolePage({ locale: o.locale, title: t.sections.addresses, viewer: o.viewer, current: 'addresses', body });
}
