import { appEventId, type AppEvent, type StateSnapshot } from '../shared/app-events.ts';
import type { ConsentEventDoc } from './consent-event.model.ts';
import type { AddressState } from './types.ts';

/**
 * The state of an address as an event tells it (StateSnapshot, shared/app-events.ts); the one
 * place that says what a webhook shows of a state. `erased` is told only when the event is an
 * erasure (`erasure: true`, privacy/erase-address.ts: the address may have been erased before);
 * a consent event shows the state without it.
 */
export function stateSnapshot(state: AddressState, options: { erasure?: boolean } = {}): StateSnapshot {
  return {
    optedOutOfAll: state.optedOutOfAll,
    subscriptions: { ...state.subscriptions },
    suppression: state.suppression ? { kind: state.suppression.kind, at: state.suppression.at.toISOString() } : null,
    ...(options.erasure && state.erased ? { erased: true as const } : {}),
  };
}

/** `subscription.changed` for a consent event that took effect; its id derives from the consent event's, so it is stable. */
export function subscriptionChanged(before: AddressState, after: AddressState, event: Pick<ConsentEventDoc, '_id' | 'address' | 'source' | 'at'>): AppEvent {
  return {
    id: appEventId('subscription.changed', event._id),
    type: 'subscription.changed',
    address: event.address,
    at: event.at,
    data: { before: stateSnapshot(before), after: stateSnapshot(after), source: event.source, consentEventId: event._id },
  };
}
