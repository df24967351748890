import type { Locale } from '../../shared/locale.ts';
import type { AddressState, ConsentMode, SubscriptionType } from '../../subscriptions/index.ts';
import { highlight, html, type SafeHtml } from '../../http/html.ts';
import { page } from '../recipient-layout.ts';
import type { PreferenceAction } from '../preference-actions.ts';
import { TEXTS, type Texts } from '../texts.ts';

export interface PreferencePageInput {
  locale: Locale;
  address: string;
  state: AddressState;
  types: SubscriptionType[];
  consentMode: ConsentMode;
  /** Relative URL the forms post to (the page's own path). */
  action: string;
  csrf: string;
  postalAddress: string;
  notice?: string;
  error?: string;
}

type Badge = { label: string; className: string };

function badgeFor(t: Texts, input: PreferencePageInput, typeId: string): Badge {
  const typeState = input.state.subscriptions[typeId] ?? 'not_specified';
  if (typeState === 'unsubscribed') return { label: t.state.unsubscribed, className: 'badge-off' };
  if (input.state.optedOutOfAll) return { label: t.state.paused, className: 'badge-paused' };
  if (typeState === 'subscribed') return { label: t.state.subscribed, className: 'badge-on' };
  return input.consentMode === 'opt-out'
    ? { label: t.state.receiving, className: 'badge-on' }
    : { label: t.state.notSubscribed, className: 'badge-off' };
}

/** Would this type be sent (ignoring the opt-out of all)? Decides which button a row offers. */
function receiving(input: PreferencePageInput, typeId: string): boolean {
  const typeState = input.state.subscriptions[typeId] ?? 'not_specified';
  return typeState === 'subscribed' || (typeState === 'not_specified' && input.consentMode === 'opt-out');
}

const hidden = (input: PreferencePageInput, action: string, type?: string): SafeHtml => html`<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="action" value="${action}">${type === undefined ? '' : html`
<input type="hidden" name="type" value="${type}">`}`;

export function renderPreferencePage(input: PreferencePageInput): string {
  const t = TEXTS[input.locale];
  const optedOut = input.state.optedOutOfAll;
  const rows = input.types.map((type) => {
    const name = type.name[input.locale];
    const badge = badgeFor(t, input, type.id);
    const on = receiving(input, type.id);
    const form = optedOut
      ? ''
      : html`<form class="inline" method="post" action="${input.action}">
${hidden(input, on ? 'unsubscribe' : 'subscribe', type.id)}
<button type="submit" class="${on ? 'secondary' : ''}" aria-label="${on ? t.unsubscribeFrom(name) : t.subscribeTo(name)}">${on ? t.unsubscribe : t.subscribe}</button>
</form>`;
    return html`<li class="topic" data-type="${type.id}">
<div><div class="topic-name">${name}</div><p class="topic-desc">${type.description[input.locale]}</p><span class="badge ${badge.className}" data-state>${badge.label}</span></div>
${form}
</li>`;
  });

  const resubscribe = html`<form method="post" action="${input.action}" class="section" novalidate>
${hidden(input, 'resubscribe')}
<fieldset${input.error ? html` aria-describedby="resubscribe-error"` : ''}>
<legend>${t.resubscribeLegend}</legend>
<p class="hint">${t.resubscribeHint}</p>
${input.error ? html`<p class="error" id="resubscribe-error" role="alert">${input.error}</p>` : ''}
<ul class="checks">
${input.types.map(
  (type) => html`<li class="check"><input type="checkbox" name="types" value="${type.id}" id="re-${type.id}"${input.state.subscriptions[type.id] === 'subscribed' ? ' checked' : ''}>
<label for="re-${type.id}"><span class="topic-name">${type.name[input.locale]}</span><br><span class="topic-desc">${type.description[input.locale]}</span></label></li>`,
)}
</ul>
</fieldset>
<button type="submit">${t.resubscribeButton}</button>
</form>`;

  const unsubscribeAll = html`<form method="post" action="${input.action}" class="section">
${hidden(input, 'unsubscribe_all')}
<h2>${t.unsubscribeAllHeading}</h2>
<p class="hint">${t.unsubscribeAllText} ${t.transactionalNote}</p>
<button type="submit" class="danger">${t.unsubscribeAllButton}</button>
</form>`;

  const body = html`<h1>${t.preferencesTitle}</h1>
<p class="lead">${highlight(t.preferencesIntro, input.address)}</p>
${input.notice && input.notice !== t.doneUnsubscribedAll ? html`<div class="banner banner-ok" role="status"><p>${input.notice}</p></div>` : ''}
${optedOut ? html`<div class="banner banner-warn" data-opted-out${input.notice === t.doneUnsubscribedAll ? html` role="status"` : ''}><p><strong>${t.optedOutBanner}</strong></p><p>${t.transactionalNote}</p></div>` : ''}
<h2 id="topics">${t.topicsLegend}</h2>
<ul class="topics" aria-labelledby="topics">
${rows}
</ul>
${optedOut ? resubscribe : unsubscribeAll}`;

  return page({ locale: input.locale, title: t.preferencesTitle, body, postalAddress: input.postalAddress });
}

/** The line the page shows after a change took effect; `typeName` names a type in the page's language. */
export function preferenceNotice(locale: Locale, action: PreferenceAction, typeName: (id: string) => string): string {
  const t = TEXTS[locale];
  switch (action.action) {
    case 'unsubscribe':
      return t.doneUnsubscribed(typeName(action.type));
    case 'subscribe':
      return t.doneSubscribed(typeName(action.type));
    case 'unsubscribe_all':
      return t.doneUnsubscribedAll;
    case 'resubscribe':
      return t.doneResubscribed(action.types.map(typeName).join(', '));
  }
}
