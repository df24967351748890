import { html, SafeHtml } from '../http/html.ts';
import { pageHead, styleHash } from '../http/page-layout.ts';
import type { Locale } from '../shared/locale.ts';
import { sectionsFor, type ConsoleRole, type ConsoleSection } from './console-roles.ts';
import { CONSOLE_TEXTS } from './console-texts.ts';
import { CHART_STYLES } from './pages/deliverability-chart.ts';

/** One stylesheet for the console, inlined and allowed by its hash in the CSP (no 'unsafe-inline'). */
export const CONSOLE_STYLES = `
:root{--ink:#1b2333;--muted:#4a5568;--line:#d9dee7;--bg:#f3f5f9;--card:#fff;--brand:#1f4fd1;--danger:#b42318;--ok-bg:#e6f4ea;--ok-ink:#17602f;--err-bg:#fdecea;--err-ink:#8a1c12;--focus:#1f4fd1}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5rem 1rem}
.skip:focus{left:0}
header.bar{background:var(--card);border-bottom:1px solid var(--line);padding:.75rem 1.25rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;color:var(--ink);text-decoration:none}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}
nav a[aria-current=page]{font-weight:700}
.who{display:flex;gap:.75rem;align-items:center;color:var(--muted);font-size:.9rem}
main{max-width:64rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1.25rem 1.5rem;margin-bottom:1.25rem}
h1{font-size:1.5rem;margin:0 0 1rem;overflow-wrap:break-word}
h2{font-size:1.15rem;margin:0 0 .75rem}
a{color:var(--brand)}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;vertical-align:top;padding:.45rem .5rem;border-bottom:1px solid var(--line);overflow-wrap:break-word}
caption{text-align:left;font-weight:700;padding:0 0 .5rem}
.table-title{font-weight:700;margin:1rem 0 .5rem}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap;border:0}
.table-scroll{overflow-x:auto;margin:0 0 1rem}
table.figures td,table.figures th[scope=row]{white-space:nowrap}
h3{font-size:1rem;margin:1.25rem 0 .5rem}
h4{font-size:.95rem;margin:0 0 .25rem}
th{font-weight:700}
dl.kv{display:grid;grid-template-columns:fit-content(40%) minmax(0,1fr);gap:.25rem 1rem;margin:0}
dl.kv dt{font-weight:700}
dl.kv dd{margin:0;overflow-wrap:break-word}
@media (max-width:40rem){dl.kv{grid-template-columns:minmax(0,1fr);gap:0}dl.kv dd{margin-bottom:.4rem}}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline>li{border-left:3px solid var(--line);padding:.25rem 0 .75rem 1rem;margin-left:.25rem}
ol.timeline>li:target{border-left-color:var(--brand)}
.field{margin-bottom:1rem}
.field label,.field legend{display:block;font-weight:700;margin-bottom:.3rem}
fieldset{border:0;margin:0 0 1rem;padding:0}
input[type=text],input[type=email],input[type=password],input[type=search],input[type=date],select,textarea{font:inherit;width:100%;max-width:32rem;padding:.5rem .65rem;border:2px solid #6b7487;border-radius:.45rem;background:#fff;color:var(--ink)}
textarea{min-height:4.5rem}
.check{display:flex;gap:.5rem;align-items:center;margin:.25rem 0}
button{font:inherit;font-weight:600;cursor:pointer;border-radius:.45rem;padding:.5rem 1rem;border:2px solid var(--brand);background:var(--brand);color:#fff;min-height:2.5rem}
button.secondary{background:var(--card);color:var(--brand)}
button.danger{background:var(--card);color:var(--danger);border-color:var(--danger)}
form.inline{display:inline;margin:0}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.banner{border-radius:.6rem;padding:.75rem 1rem;margin:0 0 1.25rem;border:1px solid}
.banner p{margin:0}
.banner-ok{background:var(--ok-bg);color:var(--ok-ink);border-color:#b7dfc3}
.banner-error{background:var(--err-bg);color:var(--err-ink);border-color:#f5c2bc}
.banner-warn{background:#fff4e0;color:#5c3b00;border-color:#f0c36d}
.banner-title{font-size:1.05rem;margin:0 0 .35rem}
.banner ul{margin:.25rem 0 0;padding-left:1.25rem}
.state-paused{color:var(--danger);font-weight:700}
.state-warn{color:#5c3b00;font-weight:700}
.muted{color:var(--muted)}
.hint{color:var(--muted);font-size:.9rem;margin:0 0 .35rem}
.snippet{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;min-height:3.5rem}
textarea.json{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;min-height:14rem;max-width:none}
iframe.preview{display:block;width:100%;min-height:40rem;border:1px solid var(--line);border-radius:.5rem;background:#fff}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1.25rem}
@media (max-width:40rem){main{padding:1rem .75rem 2rem}.card{padding:1rem .85rem}.grid{grid-template-columns:minmax(0,1fr)}}
${CHART_STYLES}`;

export const CONSOLE_STYLE_HASH = styleHash(CONSOLE_STYLES);

/** Who is signed in, and the form token for the sign-out button. */
export interface ConsoleViewer {
  email: string;
  role: ConsoleRole;
  csrf: string;
}

export interface ConsolePageOptions {
  locale: Locale;
  title: string;
  body: SafeHtml;
  viewer?: ConsoleViewer;
  current?: ConsoleSection;
}

export const sectionPath = (section: ConsoleSection): string => `/console/${section}`;

export function consolePage({ locale, title, body, viewer, current }: ConsolePageOptions): string {
  const t = CONSOLE_TEXTS[locale];
  const nav = viewer
    ? html`<nav aria-label="${t.mainNav}"><ul>${sectionsFor(viewer.role).map(
        (s) => html`<li><a href="${sectionPath(s)}"${s === current ? new SafeHtml(' aria-current="page"') : ''}>${t.sections[s]}</a></li>`,
      )}</ul></nav>
<div class="who"><span>${t.signedInAs(viewer.email, viewer.role)}</span>
<form class="inline" method="post" action="/console/logout"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit" class="secondary">${t.signOut}</button></form></div>`
    : '';
  return html`${pageHead({ lang: t.lang, title: `${title} · ${t.product}`, styles: CONSOLE_STYLES })}
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="bar"><a class="brand" href="/console">${t.product}</a>${nav}</header>
<main id="main">
${body}
</main>
</body>
</html>
`.value;
}

/**
 * A table that scrolls sideways on a narrow screen rather than squeezing its columns until words
 * break letter by letter. A labelled region that takes focus, so a keyboard can scroll it too.
 */
export const scrollTable = (labelledBy: string, table: SafeHtml): SafeHtml => html`<div class="table-scroll" role="region" tabindex="0" aria-labelledby="${labelledBy}">${table}</div>`;

/** An address or URL that may wrap after its punctuation (`@`, `.`, `/`, `+`, `_`), never inside a word. */
export const breakable = (text: string): SafeHtml => html`${text.split(/(?<=[@./+_])/).map((part, i) => (i === 0 ? part : html`<wbr>${part}`))}`;

export const banner = (tone: 'ok' | 'error', lines: string[]): SafeHtml =>
  html`<div class="banner banner-${tone}" role="${tone === 'error' ? 'alert' : 'status'}">${lines.map((line) => html`<p>${line}</p>`)}</div>`;
