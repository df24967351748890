import type { SubscriptionCatalog } from './catalog.ts';
import { assertLegalBasis } from './legal-basis.ts';
import type { SubscriptionStore } from './subscription-store.ts';
import type { AddressState, LegalBasis, StateChange } from './types.ts';

export interface OperatorChange {
  optedOutOfAll?: boolean;
  subscriptions?: Record<string, 'subscribed' | 'unsubscribed'>;
  legalBasis?: LegalBasis;
  legalBasisExplanation?: string;
  actor: string | undefined;
}

/**
 * An operator's change to one address (PATCH /v1/addresses/:address): unknown types are refused,
 * and lifting an opt-out needs a legal basis and an explanation (checked against the state the
 * change is applied to, again on every retry after a concurrent write).
 */
export async function changeAddress(deps: { store: SubscriptionStore; catalog: SubscriptionCatalog }, address: string, request: OperatorChange): Promise<AddressState> {
  deps.catalog.assertKnown(Object.keys(request.subscriptions ?? {}));
  const change: StateChange = {};
  if (request.optedOutOfAll !== undefined) change.optedOutOfAll = request.optedOutOfAll;
  if (request.subscriptions) change.subscriptions = request.subscriptions;
  const explanation = request.legalBasisExplanation?.trim();
  const { state } = await deps.store.apply(
    address,
    change,
    {
      source: 'operator',
      ...(request.actor ? { actor: request.actor } : {}),
      ...(request.legalBasis ? { legalBasis: request.legalBasis } : {}),
      ...(explanation ? { legalBasisExplanation: explanation } : {}),
    },
    { guard: (current) => assertLegalBasis(current, change, request) },
  );
  return state;
}
