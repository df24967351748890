import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The strict page policy: no scripts at all, only the page's hashed stylesheet(s), forms post to ourselves, never framed. */
export function strictCsp(styleSrc: string[]): Record<string, string[]> {
  return {
    defaultSrc: ["'none'"],
    styleSrc,
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  };
}

/**
 * Headers for mailgate's own HTML pages (recipient pages, the console): that CSP, no referrer
 * (their URLs hold tokens or addresses), never framed, never cached, never indexed.
 */
export function htmlPageHeaders(directives: Record<string, string[]>): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
    }),
    (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      res.set('X-Robots-Tag', 'noindex, nofollow');
      next();
    },
  ];
}
