import { randomUUID } from 'node:crypto';
import { NO_EVENTS, outboxMark, type AppEvent, type AppEventSink } from '../shared/app-events.ts';
import { AppError } from '../shared/errors.ts';
import { duplicateIndexesOrThrow } from '../shared/mongo-errors.ts';
import type { AddressStateReader } from './address-state-reader.ts';
import type { ConsentEventDoc } from './consent-event.model.ts';
import { firstDoc, newEvent, setFor } from './consent-documents.ts';
import type { ConsentWriter } from './consent-writer.ts';
import type { PendingWriteDoc } from './pending-write.model.ts';
import type { ErasedAddresses } from './erased-addresses.ts';
import { markIfErasedMeanwhile } from './erasure-rule.ts';
import { applyDiff, diffChange } from './state-change.ts';
import { subscriptionChanged } from './subscription-events.ts';
import type { ApplyOptions } from './subscription-store.ts';
import type { SubscriptionCollections } from './subscription-collections.ts';
import type { ChangeContext, StateChange } from './types.ts';

export interface ApplyItem {
  address: string;
  change: StateChange;
  context: ChangeContext;
  options?: ApplyOptions;
}
export type ApplyItemResult = { changed: boolean } | { error: AppError };

export interface ConsentBulkWriterDeps {
  collections: Pick<SubscriptionCollections, 'stateCol' | 'eventCol' | 'pendingCol'>;
  reader: AddressStateReader;
  /** Checks types, and takes every item the batch cannot: same journal and CAS, one by one. */
  writer: ConsentWriter;
  erased: ErasedAddresses;
  /** Webhooks: `subscription.changed` for each change of the batch that took effect. */
  events?: AppEventSink;
}

/** Many changes in one batch, by the same journal protocol as ConsentWriter (see there). */
export class ConsentBulkWriter {
  constructor(private readonly deps: ConsentBulkWriterDeps) {}

  /**
   * Applies many changes with a handful of round trips: one $in read, one journal entry, one
   * insertMany of events, one bulkWrite of states. Changes to an address already in this call, and
   * changes that lose a race, fall back to apply() one by one, in order.
   * Results are in the order of `items`; a refused item (guard, unknown type) carries its error.
   */
  async applyMany(items: ApplyItem[]): Promise<ApplyItemResult[]> {
    const { stateCol, eventCol, pendingCol } = this.deps.collections;
    const { reader, writer } = this.deps;
    const results: (ApplyItemResult | undefined)[] = new Array<ApplyItemResult | undefined>(items.length);
    const later: number[] = [];
    const seen = new Set<string>();
    const first: number[] = [];
    items.forEach((item, i) => {
      if (seen.has(item.address)) later.push(i);
      else {
        seen.add(item.address);
        first.push(i);
      }
    });
    const states = await reader.getMany(first.map((i) => items[i]!.address));
    const planned: { index: number; event: ConsentEventDoc; told: AppEvent; baseVersion: number }[] = [];
    const events = this.deps.events ?? NO_EVENTS;
    for (const index of first) {
      const item = items[index]!;
      const current = states.get(item.address)!;
      // Erased addresses are rare and have rules of their own (erasure-rule.ts): the one-by-one writer applies them.
      if (current.erased) {
        later.push(index);
        continue;
      }
      try {
        writer.checkTypes(item.change);
        item.options?.guard?.(current);
      } catch (err) {
        results[index] = { error: asAppError(err) };
        continue;
      }
      const diff = diffChange(current, item.change);
      if (!diff) {
        results[index] = { changed: false };
        continue;
      }
      const event = newEvent(item.address, current.version + 1, diff, item.context, item.options ?? {});
      // Its webhook event is written with it (the outbox, see ConsentWriter).
      const told = subscriptionChanged(current, applyDiff(current, event.after, event.at), event);
      const outbox = outboxMark(events, [told], event.at);
      if (outbox) event.outbox = outbox;
      planned.push({ index, event, told, baseVersion: current.version });
    }

    let lost = new Set<number>();
    if (planned.length > 0) {
      const journal: PendingWriteDoc = { _id: randomUUID(), events: planned.map((p) => p.event._id), at: new Date() };
      await pendingCol.insertOne(journal);
      try {
        await eventCol.insertMany(
          planned.map((p) => p.event),
          { ordered: false },
        );
      } catch (err) {
        lost = duplicateIndexesOrThrow(err);
      }
      const won = planned.filter((_, i) => !lost.has(i));
      if (won.length > 0) {
        try {
          await stateCol.bulkWrite(
            won.map(({ event, baseVersion }) =>
              baseVersion === 0
                ? { insertOne: { document: firstDoc(event.address, event) } }
                : { updateOne: { filter: { _id: event.address, version: baseVersion }, update: { $set: setFor(event) } } },
            ),
            { ordered: false },
          );
        } catch (err) {
          // A duplicate first document means another writer already rolled our event forward.
          duplicateIndexesOrThrow(err);
        }
        // A CAS that matched nothing is fine too: version N+1 can only come from our event (unique).
        for (const p of won) results[p.index] = { changed: true };
        await markIfErasedMeanwhile(
          this.deps.erased,
          stateCol,
          won.filter((p) => p.baseVersion === 0).map((p) => p.event),
        );
        // Before the fall-backs below: an address's later changes in this call are told after its first.
        await events.emit(
          won.map((p) => p.told),
          won.filter((p) => p.event.outbox).map((p) => ({ collection: 'consent_events' as const, id: p.event._id })),
        );
      }
      await pendingCol.deleteOne({ _id: journal._id });
      for (const i of lost) later.push(planned[i]!.index);
    }

    later.sort((a, b) => a - b);
    for (const index of later) {
      const item = items[index]!;
      try {
        const { changed } = await writer.apply(item.address, item.change, item.context, item.options);
        results[index] = { changed };
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        results[index] = { error: err };
      }
    }
    return results.map((r) => r ?? { changed: false });
  }
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  throw err;
}
