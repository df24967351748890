import { Router } from 'express';
import { SUPPRESSION_KINDS, type SuppressionKind } from '../subscriptions/index.ts';
import { localeOf, requireSection, viewerOf } from './console-auth.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { renderSuppressionsPage } from './pages/suppressions-page.ts';

const PAGE_SIZE = 50;
const DONE = new Set(['lifted']);

const isKind = (value: unknown): value is SuppressionKind => typeof value === 'string' && (SUPPRESSION_KINDS as readonly string[]).includes(value);
const isDate = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** The suppression list of docs/rules.md §7, filtered by reason and since-date (UTC), paged by the list's cursor. */
export function suppressionsRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/suppressions', requireSection('suppressions'), async (req, res) => {
    const reason = isKind(req.query.reason) ? req.query.reason : undefined;
    const since = isDate(req.query.since) ? req.query.since : undefined;
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor.length <= 1000 ? req.query.cursor : undefined;
    const page = await deps.suppressions.page({
      limit: PAGE_SIZE,
      ...(reason ? { reason } : {}),
      ...(since ? { since: new Date(`${since}T00:00:00Z`) } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : undefined;
    res.type('html').send(
      renderSuppressionsPage({
        locale: localeOf(res),
        viewer: viewerOf(deps.csrf, req, res),
        filter: { ...(reason ? { reason } : {}), ...(since ? { since } : {}) },
        page,
        ...(done ? { done } : {}),
      }),
    );
  });
  return router;
}
