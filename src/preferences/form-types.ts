import type { SubscriptionCatalog, SubscriptionType } from '../subscriptions/index.ts';

/**
 * The types the public re-subscribe form offers: SUBSCRIBE_FORM_TYPES, in catalog order, or every
 * type. An id the catalog does not know stops start-up, naming it.
 */
export function resolveFormTypes(catalog: SubscriptionCatalog, subscribeFormTypes: string[] | undefined): SubscriptionType[] {
  const unknown = (subscribeFormTypes ?? []).filter((id) => !catalog.has(id));
  if (unknown.length > 0) throw new Error(`invalid configuration: SUBSCRIBE_FORM_TYPES: unknown subscription type(s): ${unknown.join(', ')}`);
  return subscribeFormTypes ? catalog.types.filter((t) => subscribeFormTypes.includes(t.id)) : catalog.types;
}
