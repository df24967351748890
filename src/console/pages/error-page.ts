import { html } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { banner, consolePage, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';

export function renderErrorPage(o: { locale: Locale; title: string; lines: string[]; viewer?: ConsoleViewer }): string {
  const t = CONSOLE_TEXTS[o.locale];
  return consolePage({
    locale: o.locale,
    title: o.title,
    ...(o.viewer ? { viewer: o.viewer } : {}),
    body: html`<div class="card"><h1>${o.title}</h1>${banner('error', o.lines)}<p><a href="/console">${t.backHome}</a></p></div>`,
  });
}
