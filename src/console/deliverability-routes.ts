import { Router, type Request, type Response } from 'express';
import type { CsrfGuard } from '../http/csrf.ts';
import type { ReputationControl } from '../shared/deliverability.ts';
import { AppError } from '../shared/errors.ts';
import { localeOf, operatorOf, requireCsrf, viewerOf } from './console-auth.ts';
import { CONSOLE_TEXTS } from './console-texts.ts';
import { DELIVERABILITY_PATH, MAX_EXPLANATION, renderDeliverabilityPage, type DeliverabilityPageData } from './pages/deliverability-page.ts';

/** What the deliverability section is built from (src/composition/console.ts). */
export interface DeliverabilitySectionDeps {
  csrf: CsrfGuard;
  /** The reputation guard (src/reputation): the console only reads its report and asks it to pause or resume. */
  reputation: ReputationControl;
}

const DONE = new Set(['paused', 'resumed']);

const explanationOf = (body: unknown): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).explanation : undefined;
  return typeof value === 'string' ? value.trim() : '';
};

/**
 * The deliverability section (docs/rules.md §13): the guard's report, and pause/resume by hand with
 * an explanation, as `console:<operator email>`. The guard decides what is allowed: a refusal the
 * operator can fix on this page (422, e.g. `explanation_required`) shows the page again with its
 * message and the stream unchanged; any other refusal (404 unknown stream, 409) is the console's
 * error page. Mounted at /console/deliverability behind sign-in and the marketer/admin role check.
 */
export function deliverabilityRoutes(deps: DeliverabilitySectionDeps): Router {
  const router = Router();

  const show = async (req: Request, res: Response, status: number, extra: Pick<DeliverabilityPageData, 'done' | 'error'>) => {
    const report = await deps.reputation.report();
    res.status(status).type('html').send(renderDeliverabilityPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), report, ...extra }));
  };

  router.get('/', async (req, res) => {
    const { done, stream } = req.query;
    const shown = typeof done === 'string' && DONE.has(done) && typeof stream === 'string' ? { done: { action: done as 'paused' | 'resumed', stream } } : {};
    await show(req, res, 200, shown);
  });

  const act = (action: 'pause' | 'resume') => async (req: Request, res: Response) => {
    const stream = String(req.params.stream);
    const explanation = explanationOf(req.body);
    if (explanation.length > MAX_EXPLANATION) {
      const message = CONSOLE_TEXTS[localeOf(res)].deliverability.explanationTooLong(new Intl.NumberFormat(localeOf(res)).format(MAX_EXPLANATION));
      return show(req, res, 422, { error: { stream, message, explanation: explanation.slice(0, MAX_EXPLANATION) } });
    }
    try {
      await deps.reputation[action](stream, { actor: `console:${operatorOf(res).email}`, explanation });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return show(req, res, 422, { error: { stream, message: err.message, explanation } });
    }
    res.redirect(303, `${DELIVERABILITY_PATH}?${new URLSearchParams({ done: action === 'pause' ? 'paused' : 'resumed', stream }).toString()}`);
  };

  router.post('/:stream/pause', requireCsrf(deps.csrf), act('pause'));
  router.post('/:stream/resume', requireCsrf(deps.csrf), act('resume'));
  return router;
}
