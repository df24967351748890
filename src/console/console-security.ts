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
  return { 'Content-Security-Policy': policy({ ...CSP_DIRECTIVES, styleSrc: [CONSOLE_STYLE_HASH, "'unsafe-hashes'", ...emailStyleHashes(emailHtml)] }) };
}

function emailStyleHashes(emailHtml: string): Set<string> {
  const hashes = new Set<string>([styleHash('')]); // MJML writes bare `style` attributes: an empty value
  for (const m of emailHtml.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) hashes.add(styleHash(m[1]!));
  for (const m of emailHtml.matchAll(/\sstyle=(?:"([^"]*)"|'([^']*)')/gi)) hashes.add(styleHash(decode(m[1] ?? m[2] ?? '')));
  return hashes;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const policy = (directives: Record<string, string[]>) =>
  Object.entries(directives)
    .map(([k, v]) => `${kebab(k)} ${v.join(' ')}`)
    .join(';');

/**
 * The template editor's page: the only console page that runs script, and only its own bundle, by
 * this response's nonce; it may fetch the live preview from this origin. Its styles are
 * 'unsafe-inline' (no nonce, which would void it): the live preview's email, rendered after the
 * page loaded, sits in a `srcdoc` frame that inherits this policy, so its styles cannot be known
 * by hash in advance; CodeMirror writes <style> elements too. Styles run no code; script stays nonce-only.
 */
export function editorPageHeaders(emailHtml: string | undefined, nonce: string | undefined): Record<string, string> {
  if (nonce === undefined) return previewPageHeaders(emailHtml);
  const directives = { ...CSP_DIRECTIVES, styleSrc: ["'unsafe-inline'"], scriptSrc: [`'nonce-${nonce}'`], connectSrc: ["'self'"] };
  return { 'Content-Security-Policy': policy(directives) };
}
