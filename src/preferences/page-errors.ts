import type { ErrorRequestHandler, Response } from 'express';
import { bodyParserError } from '../http/body-errors.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Locale } from '../shared/locale.ts';
import { SUBSCRIBE_PATH } from './links.ts';
import { pickLocale } from '../http/page-locale.ts';
import { renderMessagePage } from './pages/message-page.ts';
import { TEXTS, type Texts } from './texts.ts';

/** Error codes the recipient pages answer with, and the page each one shows. */
const PAGES: Record<string, { status: number; title: (t: Texts) => string; text: (t: Texts) => string; subscribeLink?: boolean }> = {
  invalid_token: { status: 400, title: (t) => t.invalidLinkTitle, text: (t) => t.invalidLinkText },
  expired_token: { status: 410, title: (t) => t.expiredLinkTitle, text: (t) => t.expiredLinkText, subscribeLink: true },
  expired_link: { status: 410, title: (t) => t.expiredLinkTitle, text: (t) => t.invalidLinkText },
  csrf_failed: { status: 403, title: (t) => t.formExpiredTitle, text: (t) => t.formExpiredText },
  invalid_form: { status: 400, title: (t) => t.badFormTitle, text: (t) => t.badFormText },
  unsupported_media_type: { status: 415, title: (t) => t.badFormTitle, text: (t) => t.badFormText },
  payload_too_large: { status: 413, title: (t) => t.tooLargeTitle, text: (t) => t.tooLargeText },
  rate_limited: { status: 429, title: (t) => t.tooManyTitle, text: (t) => t.tooManyText },
  not_found: { status: 404, title: (t) => t.notFoundTitle, text: (t) => t.notFoundText },
  unavailable: { status: 503, title: (t) => t.failedTitle, text: (t) => t.failedText },
};

export const pageError = (code: keyof typeof PAGES & string, message: string): AppError =>
  new AppError(code, message, { status: PAGES[code]?.status ?? 400 });

export function sendPage(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(body);
}

/**
 * Every failure on a recipient page is an HTML page in the visitor's language saying that nothing
 * changed. Logs name the route pattern, never the URL: the URL holds the token.
 */
export function pageErrorHandler(deps: { logger: Logger; postalAddress: string }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const code = err instanceof AppError ? err.code : (bodyParserError(err, 'page')?.code ?? 'internal_error');
    let entry = PAGES[code];
    let status = entry?.status ?? 500;
    if (!entry) {
      // someone else's error (e.g. the store or the queue): keep its status, show a generic page
      status = err instanceof AppError ? err.status : 500;
      entry = status < 500 ? PAGES.invalid_form! : PAGES.unavailable!;
    }
    const route = (req.route as { path?: string } | undefined)?.path ?? req.baseUrl.split('/')[1] ?? 'recipient-page';
    if (status >= 500) deps.logger.error({ event: 'preferences.error', code, route, method: req.method, err });
    else deps.logger.info({ event: 'preferences.refused', code, route, method: req.method });
    const locale: Locale = pickLocale(res.locals.locale, req);
    const t = TEXTS[locale];
    sendPage(
      res,
      status,
      renderMessagePage({
        locale,
        title: entry.title(t),
        tone: 'error',
        lines: [entry.text(t), t.nothingChanged],
        links: entry.subscribeLink ? [{ href: SUBSCRIBE_PATH, label: t.requestNewLink }] : [],
        postalAddress: deps.postalAddress,
      }),
    );
  };
}
