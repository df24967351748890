import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { CONSOLE_STYLE_HASH } from './console-layout.ts';

/**
 * Headers for every console page: a strict CSP (no scripts, only the hashed stylesheet, forms post
 * to ourselves, never framed), no referrer (URLs hold addresses), never cached.
 */
export function consolePageHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: [CONSOLE_STYLE_HASH],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
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
