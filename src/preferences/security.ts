import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { STYLE_HASH } from './layout.ts';

/**
 * Headers for every recipient page: a strict CSP (no scripts at all, only our hashed stylesheet,
 * forms post to ourselves, no framing), no referrer (the URL holds a token), never cached.
 */
export function recipientPageHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: [STYLE_HASH],
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
