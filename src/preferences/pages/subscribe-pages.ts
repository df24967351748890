import type { Locale } from '../../shared/locale.ts';
import type { SubscriptionType } from '../../subscriptions/index.ts';
import { highlight, html } from '../html.ts';
import { page } from '../layout.ts';
import { TEXTS } from '../texts.ts';
import { renderMessagePage } from './message-page.ts';

export interface SubscribeFormInput {
  locale: Locale;
  types: SubscriptionType[];
  action: string;
  csrf: string;
  postalAddress: string;
  languageSwitch: string;
  /** What the visitor typed and ticked, when the form comes back with errors. */
  email?: string;
  chosen?: string[];
  errors?: { email?: string; types?: string };
}

/** The public re-subscribe form: an address and the types the operator offers. */
export function renderSubscribeForm(input: SubscribeFormInput): string {
  const t = TEXTS[input.locale];
  const errors = input.errors ?? {};
  const chosen = new Set(input.chosen ?? []);
  const body = html`<h1>${t.subscribeTitle}</h1>
<p class="lead">${t.subscribeIntro}</p>
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="lang" value="${input.locale}">
<div class="field">
<label for="email">${t.emailLabel}</label>
<p class="hint" id="email-hint">${t.emailHint}</p>
<input type="email" id="email" name="email" autocomplete="email" required maxlength="254" value="${input.email ?? ''}" aria-describedby="email-hint${errors.email ? ' email-error' : ''}"${errors.email ? html` aria-invalid="true"` : ''}>
${errors.email ? html`<p class="error" id="email-error">${errors.email}</p>` : ''}
</div>
<fieldset${errors.types ? html` aria-describedby="types-error"` : ''}>
<legend>${t.topicsLegend}</legend>
${errors.types ? html`<p class="error" id="types-error">${errors.types}</p>` : ''}
<ul class="checks">
${input.types.map(
  (type) => html`<li class="check"><input type="checkbox" name="types" value="${type.id}" id="type-${type.id}"${chosen.has(type.id) ? ' checked' : ''}>
<label for="type-${type.id}"><span class="topic-name">${type.name[input.locale]}</span><br><span class="topic-desc">${type.description[input.locale]}</span></label></li>`,
)}
</ul>
</fieldset>
<button type="submit">${t.sendConfirmation}</button>
</form>`;
  return page({ locale: input.locale, title: t.subscribeTitle, body, postalAddress: input.postalAddress, languageSwitch: input.languageSwitch });
}

/** The one answer to every valid form POST, whatever the address's state: nothing to enumerate. */
export function renderCheckInbox(input: { locale: Locale; address: string; postalAddress: string }): string {
  const t = TEXTS[input.locale];
  return renderMessagePage({
    locale: input.locale,
    title: t.checkInboxTitle,
    tone: 'ok',
    lines: [highlight(t.checkInboxText, input.address), t.checkInboxNote],
    postalAddress: input.postalAddress,
  });
}
