import type { Request, RequestHandler, Response } from 'express';
import { isLocale, type Locale } from '../shared/locale.ts';
import type { ChangeContext, ConsentSource } from '../subscriptions/index.ts';
import { pickLocale } from '../http/page-locale.ts';
import { pageError } from './page-errors.ts';
import type { TokenKind, TokenPayload, TokenService } from './tokens.ts';

// The link in a recipient's mail, as the pages behind it use it: its token opened (openToken) and
// read (openedToken), the language the page speaks (pageLocale), and who a change made through it
// is recorded as (recipientContext).

export type PayloadOf<K extends TokenKind> = Extract<TokenPayload, { k: K }>;

/** A token from the URL that verified, with the string it came as (CSRF scope, form action). */
export interface OpenedToken<K extends TokenKind> {
  token: string;
  payload: PayloadOf<K>;
}

/**
 * Opens the token in the URL (`:token`) before anything else runs: a bad token answers with a 4xx
 * page and nothing else happens. On success the page speaks the token's locale (else the
 * browser's, else English); `res.locals` carries the token, its payload and the locale on.
 */
export function openToken<K extends TokenKind>(tokens: TokenService, kind: K): RequestHandler {
  return (req, res, next) => {
    const token = req.params.token;
    const result = tokens.verify(token, kind);
    if (!result.ok) {
      if (result.reason === 'expired') throw pageError(kind === 'c' ? 'expired_token' : 'expired_link', 'The link has expired');
      throw pageError('invalid_token', `The link is not valid (${result.reason})`);
    }
    res.locals.token = token;
    res.locals.payload = result.payload;
    res.locals.locale = pickLocale(result.payload.l, req);
    next();
  };
}

/** What `openToken(kind)` put on the response; its absence is a wiring mistake, not a visitor's. */
export function openedToken<K extends TokenKind>(res: Response, kind: K): OpenedToken<K> {
  const token: unknown = res.locals.token;
  const payload = res.locals.payload as TokenPayload | undefined;
  if (typeof token !== 'string' || payload?.k !== kind) throw new Error(`openToken('${kind}') did not run before this handler`);
  return { token, payload: payload as PayloadOf<K> };
}

/** The language the page speaks, as chosen by the middleware that ran first. */
export function pageLocale(res: Response): Locale {
  const locale: unknown = res.locals.locale;
  if (!isLocale(locale)) throw new Error('no page locale chosen before this handler');
  return locale;
}

/** Who made a recipient's change, as recorded on the consent event: the request the opened link came with. */
export function recipientContext(req: Request, source: ConsentSource, messageId?: string): ChangeContext {
  const userAgent = req.get('user-agent');
  return {
    source,
    ...(req.ip ? { ip: req.ip } : {}),
    ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}),
    ...(messageId ? { messageId } : {}),
  };
}
