import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { normalizeAddress } from '../addresses/index.ts';
import type { SubscriptionCatalog } from './catalog.ts';
import { toAddressView } from './address-view.ts';
import { changeAddress } from './change-address.ts';
import { typeStateOf } from './state-change.ts';
import type { MongoSubscriptionStore } from './mongo-subscription-store.ts';
import { LEGAL_BASES } from './types.ts';
import { parseOrThrow } from '../shared/validation.ts';

export const addressPatchSchema = z
  .object({
    optedOutOfAll: z.boolean().optional(),
    subscriptions: z.record(z.string().max(64), z.enum(['subscribed', 'unsubscribed'])).optional(),
    legalBasis: z.enum(LEGAL_BASES).optional(),
    legalBasisExplanation: z.string().max(2000).optional(),
  })
  .strict()
  .refine((b) => b.optedOutOfAll !== undefined || (b.subscriptions !== undefined && Object.keys(b.subscriptions).length > 0), {
    message: 'change at least one of optedOutOfAll, subscriptions',
  });

export interface OperatorRoutesDeps {
  store: MongoSubscriptionStore;
  catalog: SubscriptionCatalog;
}

const actorOf = (res: Response): string | undefined => (typeof res.locals.actor === 'string' ? res.locals.actor : undefined);
const addressParam = (req: Request): string => normalizeAddress(req.params.address);

/** The operator API for one address at a time, the catalog, and the CSV export. */
export function operatorRoutes({ store, catalog }: OperatorRoutesDeps): Router {
  const router = Router();

  router.get('/subscription-types', (_req, res) => {
    res.json(catalog.list());
  });

  router.get('/addresses/export', async (_req, res) => {
    const types = catalog.types.map((t) => t.id);
    res.status(200).type('text/csv; charset=utf-8').attachment('address-states.csv');
    const rows = Readable.from(
      (async function* () {
        for await (const state of store.streamStates()) {
          yield [
            state.address,
            String(state.optedOutOfAll),
            ...types.map((t) => typeStateOf(state.subscriptions, t)),
            state.suppression?.kind ?? '',
            state.updatedAt?.toISOString() ?? '',
          ];
        }
      })(),
    );
    // Headers are gone once rows flow: a failure mid-stream can only cut the response short.
    await pipeline(rows, stringify({ header: true, escape_formulas: true, columns: ['address', 'optedOutOfAll', ...types, 'suppression', 'updatedAt'] }), res).catch(
      (err: unknown) => {
        res.destroy(err instanceof Error ? err : undefined);
      },
    );
  });

  router.get('/addresses/:address', async (req, res) => {
    const state = await store.get(addressParam(req));
    res.json(toAddressView(state, catalog));
  });

  router.get('/addresses/:address/history', async (req, res) => {
    res.json(await store.history(addressParam(req)));
  });

  router.patch('/addresses/:address', async (req, res) => {
    const address = addressParam(req);
    const body = parseOrThrow(addressPatchSchema, req.body, 'change');
    const state = await changeAddress({ store, catalog }, address, { ...body, actor: actorOf(res) });
    res.json(toAddressView(state, catalog));
  });

  return router;
}
