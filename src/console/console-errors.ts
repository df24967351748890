import type { ErrorRequestHandler } from 'express';
import type { CsrfGuard } from '../http/csrf.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { issueCsrf, localeOf, type Operator } from './console-auth.ts';
import { CONSOLE_TEXTS, type ConsoleTexts } from './console-texts.ts';
import { renderErrorPage } from './pages/error-page.ts';

const PAGES: Record<string, { status: number; title: (t: ConsoleTexts) => string; text: (t: ConsoleTexts) => string }> = {
  forbidden: { status: 403, title: (t) => t.forbiddenTitle, text: (t) => t.forbiddenText },
  csrf_failed: { status: 403, title: (t) => t.formExpiredTitle, text: (t) => t.formExpiredText },
  not_found: { status: 404, title: (t) => t.notFoundTitle, text: (t) => t.notFoundText },
  rate_limited: { status: 429, title: (t) => t.tooManyTitle, text: (t) => t.tooManyText },
  email_too_long: { status: 400, title: (t) => t.badRequestTitle, text: (t) => t.emailTooLong },
};

/** Every console failure is an HTML page in the operator's language saying nothing changed. Logs name the route, never the URL. */
export function consoleErrorHandler(deps: { logger: Logger; csrf: CsrfGuard }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const code = err instanceof AppError ? err.code : 'internal_error';
    const status = PAGES[code]?.status ?? (err instanceof AppError ? err.status : (err as { status?: number }).status ?? 500);
    const route = (req.route as { path?: string } | undefined)?.path ?? 'console';
    if (status >= 500) deps.logger.error({ event: 'console.error', code, route, method: req.method, err });
    else deps.logger.info({ event: 'console.refused', code, route, method: req.method });
    const locale = localeOf(res);
    const t = CONSOLE_TEXTS[locale];
    const page = PAGES[code];
    const operator = res.locals.operator as Operator | undefined;
    const title = page ? page.title(t) : status < 500 ? t.badRequestTitle : t.failedTitle;
    const lines = [page ? page.text(t) : status < 500 && err instanceof AppError ? err.message : t.failedText, t.nothingChanged];
    res
      .status(status)
      .type('html')
      .send(renderErrorPage({ locale, title, lines, ...(operator && req.session ? { viewer: { ...operator, csrf: issueCsrf(deps.csrf, req) } } : {}) }));
  };
}
