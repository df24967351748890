import type { RequestHandler } from 'express';
import { htmlPageHeaders, strictCsp } from '../http/page-headers.ts';
import { styleHash } from '../http/page-layout.ts';
import { CONSOLE_STYLE_HASH } from './console-layout.ts';

/** The console's CSP: the strict page policy with the console's hashed stylesheet. */
const CSP_DIRECTIVES = strictCsp([CONSOLE_STYLE_HASH]);

/** Headers for every console page: the strict CSP, no referrer (URLs hold addresses), never cached. */
export function consolePageHeaders(): RequestHandler[] {
  return htmlPageHeaders(CSP_DIRECTIVES);
}

const ENTITIES: Record<string, string> = { '&quot;': '"', '&#39;': "'", '&#039;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const decode = (value: string) => value.replace(/&(quot|#0?39|lt|gt|amp);/g, (e) => ENTITIES[e] ?? e);

/**
 * The CSP of a template page. A `srcdoc` iframe inherits its parent's policy, so the email's own
 * `<style>` elements and `style` attributes are allowed by their hashes (`'unsafe-hashes'` covers
 * attributes only by hash): the preview looks as sent, and everything else stays as strict as the
 * rest of the console — still no script anywhere (the iframe is sandboxed without `allow-scripts` too).
 */
export function previewPageHeaders(emailHtml: string | undefined): Record<string, string> {
  if (emailHtml === undefined) return {};
  const hashes = new Set<string>([styleHash('')]); // MJML writes bare `style` attributes: an empty value
  for (const m of emailHtml.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) hashes.add(styleHash(m[1]!));
  for (const m of emailHtml.matchAll(/\sstyle=(?:"([^"]*)"|'([^']*)')/gi)) hashes.add(styleHash(decode(m[1] ?? m[2] ?? '')));
  const directives: Record<string, string[]> = { ...CSP_DIRECTIVES, styleSrc: [CONSOLE_STYLE_HASH, "'unsafe-hashes'", ...hashes] };
  const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return { 'Content-Security-Policy': Object.entries(directives).map(([k, v]) => `${kebab(k)} ${v.join(' ')}`).join(';') };
}
