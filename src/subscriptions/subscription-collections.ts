import type { Connection, mongo } from 'mongoose';
import { addressStateModel, type AddressStateDoc, type AddressStateModel } from './address-state.model.ts';
import { consentEventModel, type ConsentEventDoc, type ConsentEventModel } from './consent-event.model.ts';
import { pendingWriteModel, type PendingWriteDoc, type PendingWriteModel } from './pending-write.model.ts';

/**
 * The subscription store's three collections: each as its mongoose model (reads, indexes) and as
 * the driver's collection, typed, for the writes that must not be cast or buffered by mongoose.
 */
export interface SubscriptionCollections {
  states: AddressStateModel;
  events: ConsentEventModel;
  pending: PendingWriteModel;
  stateCol: mongo.Collection<AddressStateDoc>;
  eventCol: mongo.Collection<ConsentEventDoc>;
  pendingCol: mongo.Collection<PendingWriteDoc>;
}

export function subscriptionCollections(db: Connection): SubscriptionCollections {
  const states = addressStateModel(db);
  const events = consentEventModel(db);
  const pending = pendingWriteModel(db);
  return {
    states,
    events,
    pending,
    stateCol: states.collection as unknown as mongo.Collection<AddressStateDoc>,
    eventCol: events.collection as unknown as mongo.Collection<ConsentEventDoc>,
    pendingCol: pending.collection as unknown as mongo.Collection<PendingWriteDoc>,
  };
}
