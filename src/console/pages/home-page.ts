import { html } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { sectionsFor } from '../console-roles.ts';
import { consolePage, sectionPath, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';

export function renderHomePage(o: { locale: Locale; viewer: ConsoleViewer }): string {
  const t = CONSOLE_TEXTS[o.locale];
  return consolePage({
    locale: o.locale,
    title: t.homeTitle,
    viewer: o.viewer,
    body: html`<div class="card"><h1>${t.homeTitle}</h1><p>${t.homeIntro}</p>
<ul>${sectionsFor(o.viewer.role).map((s) => html`<li><a href="${sectionPath(s)}">${t.sections[s]}</a></li>`)}</ul></div>`,
  });
}
