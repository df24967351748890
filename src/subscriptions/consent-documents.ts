import type { AddressStateDoc } from './address-state.model.ts';
import { eventId, type ConsentEventDoc } from './consent-event.model.ts';
import { applyDiff, type StateDiff } from './state-change.ts';
import type { ApplyOptions } from './subscription-store.ts';
import { emptyState, type AddressState, type ChangeContext } from './types.ts';

/** The consent event that moves an address from `version - 1` to `version`. */
export function newEvent(
  address: string,
  version: number,
  diff: { before: StateDiff; after: StateDiff },
  context: ChangeContext,
  options: ApplyOptions,
  erasure: 'none' | 'keep' | 'fresh_start' = 'none',
): ConsentEventDoc {
  const event: ConsentEventDoc = { _id: eventId(address, version), address, version, ...diff, source: context.source, at: new Date() };
  for (const key of ['actor', 'ip', 'userAgent', 'messageId', 'legalBasis', 'legalBasisExplanation', 'feedback'] as const) {
    if (context[key] !== undefined) Object.assign(event, { [key]: context[key] });
  }
  if (options.importJobId !== undefined) event.importJobId = options.importJobId;
  if (erasure === 'keep') event.erased = true;
  if (erasure === 'fresh_start') event.freshStart = true;
  return event;
}

/** The `$set` that moves a state document to an event's version. */
export function setFor(event: Pick<ConsentEventDoc, '_id' | 'after' | 'at' | 'version' | 'erased' | 'freshStart'>): Record<string, unknown> {
  const set: Record<string, unknown> = { updatedAt: event.at, version: event.version, lastEventId: event._id };
  // The erased mark moves with the state (see erasure-rule.ts): kept by a restricting change, gone after a fresh start.
  if (event.erased) set.erased = true;
  if (event.freshStart) set.erased = false;
  if (event.after.optedOutOfAll !== undefined) set.optedOutOfAll = event.after.optedOutOfAll;
  for (const [type, value] of Object.entries(event.after.subscriptions ?? {})) set[`subscriptions.${type}`] = value;
  if (event.after.suppression !== undefined) set.suppression = event.after.suppression;
  return set;
}

/**
 * The first document of an address, made by its first event on top of `base`, the state read
 * before it: empty for a never-seen address; for an erased one, its erasure record's suppression,
 * which the document then carries on (the record no longer answers once a document exists).
 */
export function firstDoc(address: string, event: Pick<ConsentEventDoc, '_id' | 'after' | 'at' | 'erased'>, base: AddressState = emptyState(address)): AddressStateDoc {
  const state = applyDiff(base, event.after, event.at);
  return {
    _id: address,
    address,
    optedOutOfAll: state.optedOutOfAll,
    subscriptions: state.subscriptions,
    suppression: state.suppression ?? null,
    updatedAt: event.at,
    version: 1,
    lastEventId: event._id,
    // An erased address has no document; its first one keeps the mark unless this is a fresh start.
    ...(event.erased ? { erased: true } : {}),
  };
}
