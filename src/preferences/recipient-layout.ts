import { html, type SafeHtml } from '../http/html.ts';
import { pageHead, styleHash } from '../http/page-layout.ts';
import type { Locale } from '../shared/locale.ts';
import { TEXTS } from './texts.ts';

/**
 * One stylesheet for every recipient page. It is inlined and allowed by its hash in the CSP
 * (no 'unsafe-inline', no nonce to thread through), so the pages need no static-file route.
 */
export const STYLES = `
:root{--ink:#1b2333;--muted:#4a5568;--line:#d9dee7;--bg:#f3f5f9;--card:#fff;--brand:#1f4fd1;--brand-ink:#fff;--danger:#b42318;--ok-bg:#e6f4ea;--ok-ink:#17602f;--off-bg:#eef0f4;--off-ink:#3b4556;--warn-bg:#fff4d6;--warn-ink:#7a4b00;--focus:#1f4fd1}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5rem 1rem;border-radius:0 0 .5rem 0}
.skip:focus{left:0}
.wrap{max-width:40rem;margin:0 auto;padding:2.5rem 1rem 3rem}
.top{display:flex;justify-content:flex-end;align-items:center;margin-bottom:1rem;color:var(--muted);font-size:.9rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.9rem;padding:2rem;box-shadow:0 1px 2px rgba(16,24,40,.05),0 8px 24px rgba(16,24,40,.06)}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.1rem;margin:0 0 .25rem}
p{margin:.25rem 0 1rem}
.lead{color:var(--muted);margin-bottom:1.5rem}
.addr{color:var(--ink);font-weight:600;overflow-wrap:anywhere}
a{color:var(--brand);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
fieldset{border:0;margin:0 0 1.5rem;padding:0;min-width:0}
legend{font-weight:700;font-size:1.1rem;padding:0;margin-bottom:.5rem}
.topics{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:.7rem}
.topic{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:1rem 1.1rem}
.topic+.topic{border-top:1px solid var(--line)}
.topic-name{font-weight:600}
.topic-desc{color:var(--muted);font-size:.92rem;margin:.1rem 0 .35rem}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:.1rem .55rem;border-radius:999px}
.badge-on{background:var(--ok-bg);color:var(--ok-ink)}
.badge-off{background:var(--off-bg);color:var(--off-ink)}
.badge-paused{background:var(--warn-bg);color:var(--warn-ink)}
form.inline{margin:0;flex-shrink:0}
button{font:inherit;font-weight:600;cursor:pointer;border-radius:.55rem;padding:.6rem 1.1rem;border:2px solid var(--brand);background:var(--brand);color:var(--brand-ink);min-height:2.75rem}
button:hover{filter:brightness(1.08)}
button.secondary{background:var(--card);color:var(--brand)}
button.danger{background:var(--card);color:var(--danger);border-color:var(--danger)}
:focus-visible{outline:3px solid var(--focus);outline-offset:3px}
button.danger:focus-visible{outline-color:var(--danger)}
.section{border-top:1px solid var(--line);margin-top:1.75rem;padding-top:1.5rem}
.banner{border-radius:.7rem;padding:1rem 1.1rem;margin:0 0 1.5rem;border:1px solid}
.banner p{margin:0}
.banner p+p{margin-top:.35rem}
.banner-warn{background:var(--warn-bg);color:var(--warn-ink);border-color:#f0d79a}
.banner-ok{background:var(--ok-bg);color:var(--ok-ink);border-color:#b7dfc3}
.banner-error{background:#fdecea;color:#8a1c12;border-color:#f5c2bc}
.checks{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:.7rem}
.check{display:flex;gap:.8rem;align-items:flex-start;padding:.85rem 1.1rem}
.check+.check{border-top:1px solid var(--line)}
.check input{width:1.25rem;height:1.25rem;margin:.15rem 0 0;accent-color:var(--brand);flex-shrink:0}
.check label{cursor:pointer}
.field{margin-bottom:1.25rem}
.field label{display:block;font-weight:700;margin-bottom:.35rem}
.hint{color:var(--muted);font-size:.9rem;margin:0 0 .4rem}
input[type=email]{font:inherit;width:100%;padding:.65rem .8rem;border:2px solid #8a94a6;border-radius:.55rem;background:#fff;color:var(--ink)}
input[aria-invalid=true]{border-color:var(--danger)}
.error{color:var(--danger);font-weight:600;margin:.35rem 0 0}
.list{margin:.25rem 0 1.25rem;padding-left:1.25rem}
.foot{margin-top:1.5rem;color:var(--muted);font-size:.85rem;text-align:center}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (max-width:30rem){.card{padding:1.25rem}.topic{flex-direction:column;align-items:flex-start}}
`;

/** The CSP source that allows exactly the recipient pages' stylesheet. */
export const STYLE_HASH = styleHash(STYLES);

export interface PageOptions {
  locale: Locale;
  title: string;
  body: SafeHtml;
  postalAddress: string;
  /** A link to the same page in the other language (forms without a token only). */
  languageSwitch?: string;
}

export function page({ locale, title, body, postalAddress, languageSwitch }: PageOptions): string {
  const t = TEXTS[locale];
  return html`${pageHead({ lang: t.lang, title, styles: STYLES })}
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<div class="wrap">
${languageSwitch ? html`<nav class="top" aria-label="Language / Sprache"><a href="${languageSwitch}" lang="${t.otherLanguage.locale}" hreflang="${t.otherLanguage.locale}">${t.otherLanguage.label}</a></nav>` : ''}
<main id="main" class="card">
${body}
</main>
<footer class="foot">${postalAddress}</footer>
</div>
</body>
</html>
`.value;
}
