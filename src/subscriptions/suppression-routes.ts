import { Router, type Response } from 'express';
import { z } from 'zod';
import { normalizeAddress } from '../addresses/index.ts';
import type { SubscriptionCatalog } from './catalog.ts';
import { toAddressView } from './address-view.ts';
import { liftSuppression } from './lift-suppression.ts';
import type { SubscriptionStore } from './subscription-store.ts';
import type { SuppressionList } from './suppression-list.ts';
import { LEGAL_BASES, SUPPRESSION_KINDS } from './types.ts';
import { parseOrThrow } from '../shared/validation.ts';

export const suppressionQuerySchema = z
  .object({
    reason: z.enum(SUPPRESSION_KINDS).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    cursor: z.string().max(1000).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export const liftSuppressionBodySchema = z.object({ explanation: z.string().max(2000), legalBasis: z.enum(LEGAL_BASES).optional() }).strict();

const actorOf = (res: Response): string | undefined => (typeof res.locals.actor === 'string' ? res.locals.actor : undefined);

/** GET /suppressions and DELETE /addresses/:address/suppression (docs/rules.md §7), under /v1. */
export function suppressionRoutes(deps: { list: SuppressionList; store: SubscriptionStore; catalog: SubscriptionCatalog }): Router {
  const router = Router();

  router.get('/suppressions', async (req, res) => {
    const q = parseOrThrow(suppressionQuerySchema, req.query, 'query');
    res.json(
      await deps.list.page({
        limit: q.limit,
        ...(q.reason ? { reason: q.reason } : {}),
        ...(q.since ? { since: new Date(q.since) } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      }),
    );
  });

  router.delete('/addresses/:address/suppression', async (req, res) => {
    const address = normalizeAddress(req.params.address);
    const body = parseOrThrow(liftSuppressionBodySchema, req.body ?? {}, 'request');
    const state = await liftSuppression(deps.store, address, { explanation: body.explanation, actor: actorOf(res), ...(body.legalBasis ? { legalBasis: body.legalBasis } : {}) });
    res.json(toAddressView(state, deps.catalog));
  });

  return router;
}
