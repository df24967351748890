import type { Locale } from '../../shared/locale.ts';
import type { SubscriptionType } from '../../subscriptions/index.ts';
import { highlight, html } from '../../http/html.ts';
import { page } from '../recipient-layout.ts';
import { TEXTS } from '../texts.ts';
import { renderMessagePage } from './message-page.ts';

export interface SubscribeFormInput {
  locale: Locale;
  types: SubscriptionType[];
  action: string;
  csrf: string;
  postalAddress: string;
  languageSwitch: string;
  /** A stored form's own title and intro in the page's locale; the default form's words otherwise. */
  heading?: { title: string; intro: string };
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
  const title = input.heading?.title ?? t.subscribeTitle;
  const intro = input.heading ? paragraphs(input.heading.intro) : [t.subscribeIntro];
  const body = html`<h1>${title}</h1>
${intro.map((text) => html`<p class="lead">${text}</p>
`)}
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
  return page({ locale: input.locale, title, body, postalAddress: input.postalAddress, languageSwitch: input.languageSwitch });
}

/** An operator's intro text: paragraphs at blank lines, each shown as (escaped) text. */
function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
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
