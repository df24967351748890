import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { NO_EVENTS, outboxMark, type AppEventSink } from '../shared/app-events.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import type { AddressStateReader } from './address-state-reader.ts';
import type { SubscriptionCatalog } from './catalog.ts';
import { eventId, parseEventId, type ConsentEventDoc } from './consent-event.model.ts';
import { firstDoc, newEvent, setFor } from './consent-documents.ts';
import type { ErasedAddresses } from './erased-addresses.ts';
import { erasureEffect, markIfErasedMeanwhile } from './erasure-rule.ts';
import type { PendingWriteDoc } from './pending-write.model.ts';
import { applyDiff, diffChange } from './state-change.ts';
import type { ApplyOptions } from './subscription-store.ts';
import type { SubscriptionCollections } from './subscription-collections.ts';
import { subscriptionChanged } from './subscription-events.ts';
import type { AddressState, ChangeContext, StateChange } from './types.ts';

const MAX_ATTEMPTS = 100;
const MAX_BACKOFF_MS = 50;

export interface ConsentWriterDeps {
  collections: Pick<SubscriptionCollections, 'events' | 'stateCol' | 'eventCol' | 'pendingCol'>;
  reader: AddressStateReader;
  catalog: SubscriptionCatalog;
  logger: Logger;
  /** Told when a fresh start lifted an erasure, so its record goes (after the fresh state is written). */
  erased: ErasedAddresses;
  /** Webhooks: `subscription.changed` once a change took effect. */
  events?: AppEventSink;
}

/**
 * Changes one address at a time, without transactions (see docs/ferretdb.md), through a journal:
 * 1. a journal entry naming the event is inserted (pending-write.model.ts);
 * 2. the event is inserted with version = state version + 1 (its _id is unique per address and
 *    version, so two writers cannot both claim the next version);
 * 3. the state moves to that version by compare-and-set on `version` (or is inserted at version 1);
 * 4. the journal entry is deleted.
 * A crash after 2 leaves an event that is not yet in effect (reads ignore events above the state's
 * version; the state is untouched); the next writer of that address, or repairPending() from the
 * journal, rolls it forward — it was computed against exactly that state version, so finishing it
 * is always correct. A crash can therefore never leave a change without its event.
 */
export class ConsentWriter {
  private readonly locks = new KeyedQueue();

  constructor(private readonly deps: ConsentWriterDeps) {}

  private get events(): AppEventSink {
    return this.deps.events ?? NO_EVENTS;
  }

  async apply(address: string, change: StateChange, context: ChangeContext, options: ApplyOptions = {}): Promise<{ state: AddressState; changed: boolean }> {
    this.checkTypes(change);
    // Changes to one address from this process take turns: racing them would only make all but
    // one lose the compare-and-set and retry. Other processes are still kept apart by the CAS.
    return this.locks.run(address, () => this.applyNow(address, change, context, options));
  }

  /** Refuses a change that names a subscription type the catalog does not have. */
  checkTypes(change: StateChange): void {
    this.deps.catalog.assertKnown(Object.keys(change.subscriptions ?? {}));
  }

  /** Finishes the writes a crashed writer left in the journal (older than `olderThanMs`). Returns how many. */
  async repairPending(olderThanMs = 60_000): Promise<number> {
    const { pendingCol } = this.deps.collections;
    const stale = await pendingCol.find({ at: { $lt: new Date(Date.now() - olderThanMs) } }).limit(1000).toArray();
    for (const entry of stale) {
      for (const id of entry.events) {
        const parsed = parseEventId(id);
        if (parsed) await this.rollForward(parsed.address, parsed.version);
      }
      await pendingCol.deleteOne({ _id: entry._id });
    }
    if (stale.length > 0) this.deps.logger.info({ event: 'subscriptions.repaired_pending', count: stale.length });
    return stale.length;
  }

  private async applyNow(address: string, change: StateChange, context: ChangeContext, options: ApplyOptions): Promise<{ state: AddressState; changed: boolean }> {
    const { eventCol, pendingCol } = this.deps.collections;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.deps.reader.get(address);
      const erasure = erasureEffect(current, change, context); // throws 409 address_erased before any guard
      options.guard?.(current);
      const diff = diffChange(current, change);
      if (!diff) return { state: current, changed: false };
      const event = newEvent(address, current.version + 1, diff, context, options, erasure);
      const applied = applyDiff(current, diff.after, event.at);
      const state = erasure === 'keep' ? { ...applied, erased: true as const } : applied;
      // Its webhook event is written with it (the outbox): a crash or a refused delivery insert leaves it to the sweep.
      const told = subscriptionChanged(current, state, event);
      const outbox = outboxMark(this.events, [told], event.at);
      if (outbox) event.outbox = outbox;
      const journal: PendingWriteDoc = { _id: randomUUID(), events: [event._id], at: event.at };
      await pendingCol.insertOne(journal);
      try {
        await eventCol.insertOne(event);
      } catch (err) {
        await pendingCol.deleteOne({ _id: journal._id });
        if (!isDuplicateKey(err)) throw err;
        // Someone else claimed this version: finish their event if they have not (they may have
        // crashed between their two writes), then retry on top of it.
        await this.rollForward(address, current.version + 1);
        await delay(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
        continue;
      }
      await this.moveState(event, current);
      await pendingCol.deleteOne({ _id: journal._id });
      // The fresh state is written first: a crash before this leaves a stale record that the state
      // document (present, unmarked) outranks. Failing here fails the call; the state stands.
      if (erasure === 'fresh_start') await this.deps.erased.lift(address);
      // Inside this address's turn (apply's lock), so one process emits an address's changes in order.
      await this.events.emit([told], outbox ? [{ collection: 'consent_events', id: event._id }] : []);
      return { state, changed: true };
    }
    throw new AppError('concurrent_update', 'Too many concurrent changes to this address; try again', { status: 409 });
  }

  /** Makes the event for (address, version) take effect if the state is still one version behind it. */
  private async rollForward(address: string, version: number): Promise<void> {
    const event = await this.deps.collections.events.findOne({ _id: eventId(address, version) }).lean<ConsentEventDoc>();
    if (!event) return;
    const current = await this.deps.reader.get(address);
    if (current.version === version - 1) await this.moveState(event, current);
  }

  /** CAS from the base state's version to event.version. Losing means someone rolled this very event forward already. */
  private async moveState(event: ConsentEventDoc, base: AddressState): Promise<void> {
    const { stateCol } = this.deps.collections;
    const baseVersion = base.version;
    if (baseVersion === 0) {
      try {
        await stateCol.insertOne(firstDoc(event.address, event, base));
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      await markIfErasedMeanwhile(this.deps.erased, stateCol, [event]);
      return;
    }
    await stateCol.updateOne({ _id: event.address, version: baseVersion }, { $set: setFor(event) });
  }
}

/** Runs tasks one at a time per key (in arrival order), different keys in parallel. In-process only. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
