import type { SubscriptionCatalog } from './catalog.ts';
import { typeStateOf } from './state-change.ts';
import { z } from 'zod';
import { TYPE_STATES, suppressionSchema, type AddressState, type TypeState } from './types.ts';

/** `GET /v1/addresses/:address` (and PATCH, and lifting a suppression) answer. */
export const addressViewSchema = z
  .object({
    address: z.string().meta({ example: 'ann@example.com' }),
    optedOutOfAll: z.boolean(),
    subscriptions: z.record(z.string(), z.enum(TYPE_STATES)).meta({ description: 'Every catalog type, a missing one as `not_specified`' }),
    suppression: suppressionSchema.optional(),
    updatedAt: z.date().nullable().meta({ description: 'null for an address never changed' }),
    erased: z.literal(true).optional().meta({ description: 'Present when the address was erased (docs/rules.md §10)' }),
  })
  .meta({ id: 'Address' });
export type AddressView = z.infer<typeof addressViewSchema>;

/** The API shape of one address: every catalog type listed, a missing one as `not_specified`. */
export function toAddressView(state: AddressState, catalog: SubscriptionCatalog): AddressView {
  const subscriptions: Record<string, TypeState> = {};
  for (const { id } of catalog.types) subscriptions[id] = typeStateOf(state.subscriptions, id);
  const view: AddressView = { address: state.address, optedOutOfAll: state.optedOutOfAll, subscriptions, updatedAt: state.updatedAt ?? null };
  if (state.suppression) view.suppression = state.suppression;
  if (state.erased) view.erased = true;
  return view;
}
