import type { Locale } from '../../shared/locale.ts';
import { highlight, html } from '../../http/html.ts';
import { page } from '../recipient-layout.ts';
import { TEXTS } from '../texts.ts';
import { renderMessagePage } from './message-page.ts';

export interface ConfirmPageInput {
  locale: Locale;
  address: string;
  typeNames: string[];
  action: string;
  csrf: string;
  postalAddress: string;
}

/** The confirmation link's page: shows what will happen; only its button (a POST) changes state. */
export function renderConfirmQuestion(input: ConfirmPageInput): string {
  const t = TEXTS[input.locale];
  const body = html`<h1>${t.confirmTitle}</h1>
<p class="lead">${highlight(t.confirmText, input.address)}</p>
<ul class="list">${input.typeNames.map((name) => html`<li>${name}</li>`)}</ul>
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit">${t.confirmButton}</button>
</form>`;
  return page({ locale: input.locale, title: t.confirmTitle, body, postalAddress: input.postalAddress });
}

export function renderConfirmed(input: { locale: Locale; address: string; typeNames: string[]; preferencesHref: string; postalAddress: string }): string {
  const t = TEXTS[input.locale];
  const body = html`<h1>${t.confirmedTitle}</h1>
<div class="banner banner-ok" role="status"><p>${highlight(t.confirmedText, input.address)}</p></div>
<ul class="list">${input.typeNames.map((name) => html`<li>${name}</li>`)}</ul>
<p class="section"><a href="${input.preferencesHref}">${t.managePreferences}</a></p>`;
  return page({ locale: input.locale, title: t.confirmedTitle, body, postalAddress: input.postalAddress });
}

/** A link whose nonce is spent: confirmed before (200 on the page, 409 on a replayed POST). */
export function renderAlreadyConfirmed(input: { locale: Locale; postalAddress: string }): string {
  const t = TEXTS[input.locale];
  return renderMessagePage({ locale: input.locale, title: t.alreadyConfirmedTitle, lines: [t.alreadyConfirmedText], postalAddress: input.postalAddress });
}
