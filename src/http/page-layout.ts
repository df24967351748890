import { createHash } from 'node:crypto';
import { html, SafeHtml } from './html.ts';

/** The CSP source (`'sha256-…'`) that allows exactly this stylesheet, or this `style` attribute's value. */
export const styleHash = (css: string): string => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

/**
 * The start of every page mailgate serves (recipient pages, the console): doctype, language, no
 * indexing, no referrer, no favicon request, and the page's one stylesheet (allowed by its hash).
 */
export function pageHead(o: { lang: string; title: string; styles: string }): SafeHtml {
  return html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${o.title}</title>
<style>${new SafeHtml(o.styles)}</style>
</head>`;
}
