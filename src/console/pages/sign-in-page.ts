import { html } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { MAX_EMAIL_LENGTH } from '../account-key.ts';
import { banner, consolePage } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';

/** The sign-in form; `failed` shows the one answer for a wrong password and an unknown account alike. */
export function renderSignInPage(o: { locale: Locale; csrf: string; email?: string; failed?: boolean }): string {
  const t = CONSOLE_TEXTS[o.locale];
  return consolePage({
    locale: o.locale,
    title: t.signIn,
    body: html`<div class="card"><h1>${t.signInTitle}</h1>
${o.failed ? banner('error', [t.signInFailed]) : ''}
<form method="post" action="/console/login">
<input type="hidden" name="csrf" value="${o.csrf}">
<div class="field"><label for="email">${t.email}</label><input id="email" name="email" type="email" autocomplete="username" maxlength="${MAX_EMAIL_LENGTH}" required value="${o.email ?? ''}"></div>
<div class="field"><label for="password">${t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button type="submit">${t.signIn}</button>
</form></div>`,
  });
}
