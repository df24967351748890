import type { Connection } from 'mongoose';
import type { AppEventSink } from '../shared/app-events.ts';
import type { Logger } from '../shared/logger.ts';
import { AddressEraser } from './address-eraser.ts';
import type { ReadShape } from '../shared/mongo.ts';
import { AddressStateReader } from './address-state-reader.ts';
import type { AddressStateModel } from './address-state.model.ts';
import type { SubscriptionCatalog } from './catalog.ts';
import { ConsentBulkWriter, type ApplyItem, type ApplyItemResult } from './consent-bulk-writer.ts';
import type { ConsentEventModel } from './consent-event.model.ts';
import { ConsentHistory, type ConsentEventView } from './consent-history.ts';
import { ConsentWriter } from './consent-writer.ts';
import { NO_ERASED_ADDRESSES, type ErasedAddresses } from './erased-addresses.ts';
import { ErasureRestrictions } from './erasure-restrictions.ts';
import type { PendingWriteModel } from './pending-write.model.ts';
import { subscriptionCollections } from './subscription-collections.ts';
import type { ApplyOptions, SubscriptionStore } from './subscription-store.ts';
import type { AddressState, ChangeContext, StateChange } from './types.ts';

export type { ApplyItem, ApplyItemResult } from './consent-bulk-writer.ts';
export type { ConsentEventView } from './consent-history.ts';

export interface MongoSubscriptionStoreDeps {
  db: Connection;
  catalog: SubscriptionCatalog;
  logger: Logger;
  /** The erasure records (the privacy domain's); the composition root always passes them. */
  erased?: ErasedAddresses;
  /** Where `subscription.changed` goes (webhooks); nowhere when left out. */
  events?: AppEventSink;
  /** How batched state reads are shaped for this server (see ReadShape). */
  readShape?: ReadShape;
}

/**
 * Subscription state and consent events on MongoDB/FerretDB: the one store other code uses, made
 * of a reader (address-state-reader.ts), the write journal and CAS (consent-writer.ts, whose
 * comment explains why a crash never leaves a change without its event), the batch writer
 * (consent-bulk-writer.ts) and the history (consent-history.ts).
 */
export class MongoSubscriptionStore implements SubscriptionStore {
  readonly states: AddressStateModel;
  readonly events: ConsentEventModel;
  readonly pending: PendingWriteModel;
  private readonly reader: AddressStateReader;
  private readonly writer: ConsentWriter;
  private readonly bulk: ConsentBulkWriter;
  private readonly consentHistory: ConsentHistory;
  /** The subscriptions side of an erasure (privacy/erase-address.ts): holds, mark, erase. */
  readonly eraser: AddressEraser;
  /** Feedback about an erased address without a state goes on its erasure record (feedback/apply-to-erased.ts). */
  readonly erasures: ErasureRestrictions;

  constructor(deps: MongoSubscriptionStoreDeps) {
    const collections = subscriptionCollections(deps.db);
    this.states = collections.states;
    this.events = collections.events;
    this.pending = collections.pending;
    const erased = deps.erased ?? NO_ERASED_ADDRESSES;
    this.reader = new AddressStateReader({ states: collections.states, erased, ...(deps.readShape ? { readShape: deps.readShape } : {}) });
    const events = deps.events ? { events: deps.events } : {};
    this.writer = new ConsentWriter({ collections, reader: this.reader, catalog: deps.catalog, logger: deps.logger, erased, ...events });
    this.bulk = new ConsentBulkWriter({ collections, reader: this.reader, writer: this.writer, erased, ...events });
    this.consentHistory = new ConsentHistory({ events: collections.events, reader: this.reader });
    this.eraser = new AddressEraser({ collections });
    this.erasures = new ErasureRestrictions({ reader: this.reader, erased });
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([this.states.createIndexes(), this.events.createIndexes(), this.pending.createIndexes()]);
  }

  get(address: string): Promise<AddressState> {
    return this.reader.get(address);
  }

  getMany(addresses: string[]): Promise<Map<string, AddressState>> {
    return this.reader.getMany(addresses);
  }

  apply(address: string, change: StateChange, context: ChangeContext, options: ApplyOptions = {}): Promise<{ state: AddressState; changed: boolean }> {
    return this.writer.apply(address, change, context, options);
  }

  /** See ConsentBulkWriter.applyMany. */
  applyMany(items: ApplyItem[]): Promise<ApplyItemResult[]> {
    return this.bulk.applyMany(items);
  }

  /** The consent events in effect for an address, oldest first. */
  history(address: string): Promise<ConsentEventView[]> {
    return this.consentHistory.history(address);
  }

  /** Every stored address state, streamed in address order. */
  streamStates(): AsyncGenerator<AddressState> {
    return this.reader.streamStates();
  }

  /** Finishes the writes a crashed writer left in the journal (older than `olderThanMs`). Returns how many. */
  repairPending(olderThanMs = 60_000): Promise<number> {
    return this.writer.repairPending(olderThanMs);
  }
}
