import { appEventId, type AppEvent, type StateSnapshot } from '../shared/app-events.ts';
import type { ConsentEventDoc } from './consent-event.model.ts';
import type { AddressState } from './types.ts';

const snapshot = (state: AddressState): StateSnapshot => ({
  optedOutOfAll: state.optedOutOfAll,
  subscriptions: { ...state.subscriptions },
  suppression: state.suppression ? { kind: state.suppression.kind, at: state.suppression.at.toISOString() } : null,
});

/** `subscription.changed` for a consent event that took effect; its id derives from the consent event's, so it is stable. */
export function subscriptionChanged(before: AddressState, after: AddressState, event: Pick<ConsentEventDoc, '_id' | 'address' | 'source' | 'at'>): AppEvent {
  return {
    id: appEventId('subscription.changed', event._id),
    type: 'subscription.changed',
    address: event.address,
    at: event.at,
    data: { before: snapshot(before), after: snapshot(after), source: event.source, consentEventId: event._id },
  };
}
