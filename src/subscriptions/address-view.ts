import type { SubscriptionCatalog } from './catalog.ts';
import { typeStateOf } from './state-change.ts';
import type { AddressState, Suppression, TypeState } from './types.ts';

export interface AddressView {
  address: string;
  optedOutOfAll: boolean;
  subscriptions: Record<string, TypeState>;
  suppression?: Suppression;
  updatedAt: Date | null;
  /** Present when the address was erased (PRODUCT.md §10). */
  erased?: true;
}

/** The API shape of one address: every catalog type listed, a missing one as `not_specified`. */
export function toAddressView(state: AddressState, catalog: SubscriptionCatalog): AddressView {
  const subscriptions: Record<string, TypeState> = {};
  for (const { id } of catalog.types) subscriptions[id] = typeStateOf(state.subscriptions, id);
  const view: AddressView = { address: state.address, optedOutOfAll: state.optedOutOfAll, subscriptions, updatedAt: state.updatedAt ?? null };
  if (state.suppression) view.suppression = state.suppression;
  if (state.erased) view.erased = true;
  return view;
}
