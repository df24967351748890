import type { Locale } from '../../shared/locale.ts';
import { highlight, html } from '../../http/html.ts';
import { page } from '../recipient-layout.ts';
import { ONE_CLICK_FIELD, ONE_CLICK_VALUE } from '../one-click-body.ts';
import { TEXTS } from '../texts.ts';
import { renderMessagePage } from './message-page.ts';

export interface UnsubscribePageInput {
  locale: Locale;
  address: string;
  typeName: string;
  /** Relative URL of the one-click endpoint (the page's own path). */
  action: string;
  preferencesHref: string;
  postalAddress: string;
}

/**
 * What a GET on the List-Unsubscribe URL shows: a question and a button that makes the same POST a
 * mail client would. A link scanner that fetches the URL changes nothing.
 */
export function renderUnsubscribeQuestion(input: UnsubscribePageInput): string {
  const t = TEXTS[input.locale];
  const body = html`<h1>${t.unsubscribeTitle}</h1>
<p class="lead">${highlight((a) => t.unsubscribeQuestion(a, input.typeName), input.address)}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="${ONE_CLICK_FIELD}" value="${ONE_CLICK_VALUE}">
<button type="submit">${t.unsubscribeButton}</button>
</form>
<p class="section"><a href="${input.preferencesHref}">${t.managePreferences}</a></p>`;
  return page({ locale: input.locale, title: t.unsubscribeTitle, body, postalAddress: input.postalAddress });
}

export function renderUnsubscribed(input: Omit<UnsubscribePageInput, 'action'>): string {
  const t = TEXTS[input.locale];
  return renderMessagePage({
    locale: input.locale,
    title: t.unsubscribedTitle,
    tone: 'ok',
    lines: [highlight((a) => t.unsubscribedText(a, input.typeName), input.address)],
    links: [{ href: input.preferencesHref, label: t.managePreferences }],
    postalAddress: input.postalAddress,
  });
}
