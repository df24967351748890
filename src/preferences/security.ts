import type { RequestHandler } from 'express';
import { htmlPageHeaders, strictCsp } from '../http/page-headers.ts';
import { STYLE_HASH } from './recipient-layout.ts';

/** Headers for every recipient page: the strict CSP with our hashed stylesheet (see http/page-headers.ts). */
export function recipientPageHeaders(): RequestHandler[] {
  return htmlPageHeaders(strictCsp([STYLE_HASH]));
}
