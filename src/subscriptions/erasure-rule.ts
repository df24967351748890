import type { mongo } from 'mongoose';
import { AppError } from '../shared/errors.ts';
import type { AddressStateDoc } from './address-state.model.ts';
import type { ConsentEventDoc } from './consent-event.model.ts';
import type { ErasedAddresses } from './erased-addresses.ts';
import type { AddressState, ChangeContext, ConsentSource, StateChange } from './types.ts';

/**
 * The sources that are the person's own confirmed re-subscribe: the re-subscribe form confirmed by
 * email, and the preferences page opened from an email's footer link. Only these lift an erasure.
 */
export const FRESH_START_SOURCES: readonly ConsentSource[] = ['resubscribe_form', 'preferences_page'];

/** Does this change subscribe anything: a type set to `subscribed`, or an opt-out of all lifted? */
export function subscribes(current: Pick<AddressState, 'optedOutOfAll'>, change: StateChange): boolean {
  if (current.optedOutOfAll && change.optedOutOfAll === false) return true;
  return Object.values(change.subscriptions ?? {}).some((next) => next === 'subscribed');
}

/**
 * What a change does to an erasure (docs/rules.md §10). Pure.
 * - `none`: the address is not erased;
 * - `keep`: it is, and stays so (a change that only restricts: an unsubscribe, a bounce);
 * - `fresh_start`: the person re-subscribed themselves: the state starts again without the mark.
 * Anyone else subscribing an erased address is refused: 409 `address_erased`.
 */
export function erasureEffect(current: Pick<AddressState, 'optedOutOfAll' | 'erased'>, change: StateChange, context: Pick<ChangeContext, 'source'>): 'none' | 'keep' | 'fresh_start' {
  if (!current.erased) return 'none';
  if (!subscribes(current, change)) return 'keep';
  if (FRESH_START_SOURCES.includes(context.source)) return 'fresh_start';
  throw new AppError('address_erased', 'This address was erased at the person’s request: only their own confirmed re-subscribe can bring it back', { status: 409 });
}

/**
 * After first state documents were inserted: marks those whose address was erased meanwhile. A
 * writer that read "never seen" before an erasure and inserts after the erasure deleted the state
 * (or one rolling forward an event the erasure missed) would otherwise bring the address back
 * unmarked. The erasure writes its record before it deletes the state, so either this sees the
 * record, or the erasure's delete comes after this insert and removes the document.
 */
export async function markIfErasedMeanwhile(
  erased: ErasedAddresses,
  stateCol: mongo.Collection<AddressStateDoc>,
  events: Pick<ConsentEventDoc, 'address' | 'erased' | 'freshStart'>[],
): Promise<void> {
  const unmarked = events.filter((e) => !e.erased && !e.freshStart).map((e) => e.address);
  if (unmarked.length === 0) return;
  const hits = [...(await erased.erasureOf(unmarked)).keys()];
  if (hits.length > 0) await stateCol.updateMany({ _id: { $in: hits } }, { $set: { erased: true } });
}
