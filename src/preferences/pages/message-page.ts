import type { Locale } from '../../shared/locale.ts';
import { html, type SafeHtml } from '../../http/html.ts';
import { page } from '../recipient-layout.ts';

export interface MessagePageInput {
  locale: Locale;
  title: string;
  lines: (string | SafeHtml)[];
  links?: { href: string; label: string }[];
  tone?: 'ok' | 'error' | 'neutral';
  postalAddress: string;
}

/** A page that only says something: results, errors, "check your inbox". */
export function renderMessagePage({ locale, title, lines, links = [], tone = 'neutral', postalAddress }: MessagePageInput): string {
  const body = html`<h1>${title}</h1>
<div${tone === 'neutral' ? '' : html` class="banner banner-${tone}"`} ${tone === 'error' ? html`role="alert"` : html`role="status"`}>
${lines.map((line) => html`<p>${line}</p>`)}
</div>
${links.length > 0 ? html`<p>${links.map((link, i) => html`${i > 0 ? ' · ' : ''}<a href="${link.href}">${link.label}</a>`)}</p>` : ''}`;
  return page({ locale, title, body, postalAddress });
}
