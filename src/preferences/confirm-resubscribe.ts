import type { Counter } from 'prom-client';
import type { Logger } from '../shared/logger.ts';
import type { ChangeContext, SubscriptionCatalog, SubscriptionStore } from '../subscriptions/index.ts';
import { pageError } from './page-errors.ts';
import type { UsedTokenStore } from './used-token-store.ts';

/** What a confirmation link asks for (from its token). */
export interface Confirmation {
  address: string;
  types: string[];
  nonce: string;
}

/** The link's types that still exist; none left means the link asks for nothing we can do. */
function existingTypes(catalog: SubscriptionCatalog, types: string[]): string[] {
  const existing = types.filter((id) => catalog.has(id));
  if (existing.length === 0) throw pageError('invalid_token', 'None of the link’s types exist any more');
  return existing;
}

/** What the confirmation page shows before the recipient confirms; looking changes nothing. */
export async function confirmationStatus(
  deps: { nonces: UsedTokenStore; catalog: SubscriptionCatalog },
  link: Confirmation,
): Promise<{ status: 'already_confirmed' } | { status: 'pending'; types: string[] }> {
  if (await deps.nonces.isSpent(link.nonce)) return { status: 'already_confirmed' };
  return { status: 'pending', types: existingTypes(deps.catalog, link.types) };
}

export interface ConfirmResubscribeDeps {
  store: Pick<SubscriptionStore, 'apply'>;
  nonces: UsedTokenStore;
  catalog: SubscriptionCatalog;
  actions: Counter<'action'>;
  logger: Logger;
}

/**
 * The recipient confirms the emailed link: lifts the opt-out of all and subscribes the chosen
 * types in one change. The link works once: its nonce is spent before the change, and given back
 * if the change fails, so the recipient can try again.
 */
export async function confirmResubscribe(
  deps: ConfirmResubscribeDeps,
  input: Confirmation & { context: ChangeContext },
): Promise<{ status: 'already_confirmed' } | { status: 'confirmed'; types: string[] }> {
  const types = existingTypes(deps.catalog, input.types);
  // Spend first: of two concurrent confirmations exactly one spends the nonce.
  if (!(await deps.nonces.spend(input.nonce))) return { status: 'already_confirmed' };
  try {
    await deps.store.apply(input.address, { optedOutOfAll: false, subscriptions: Object.fromEntries(types.map((id) => [id, 'subscribed' as const])) }, input.context);
  } catch (err) {
    await deps.nonces.giveBack(input.nonce);
    throw err;
  }
  deps.actions.inc({ action: 'resubscribe_confirmed' });
  deps.logger.info({ event: 'preferences.resubscribe_confirmed', types });
  return { status: 'confirmed', types };
}
