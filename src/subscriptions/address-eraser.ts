import { parseEventId } from './consent-event.model.ts';
import type { SubscriptionCollections } from './subscription-collections.ts';

export interface AddressEraserDeps {
  collections: Pick<SubscriptionCollections, 'stateCol' | 'eventCol' | 'pendingCol'>;
}

/**
 * The subscriptions side of an erasure (docs/rules.md §10; the use case is privacy/erase-address.ts):
 * the state document and consent events of one address, and its event ids in the write journal.
 * No transactions (docs/ferretdb.md), so the order carries the safety: the state is marked erased
 * first (a crash midway leaves an address that still reads as erased) and deleted last.
 */
export class AddressEraser {
  constructor(private readonly deps: AddressEraserDeps) {}

  /** Whether anything of the address is stored here: its state document or any consent event. */
  async holds(address: string): Promise<boolean> {
    const { stateCol, eventCol } = this.deps.collections;
    if (await stateCol.findOne({ _id: address }, { projection: { _id: 1 } })) return true;
    return (await eventCol.findOne({ address }, { projection: { _id: 1 } })) !== null;
  }

  /** Marks the state document erased (if there is one), so it reads as erased until it is gone. */
  async mark(address: string): Promise<void> {
    await this.deps.collections.stateCol.updateOne({ _id: address }, { $set: { erased: true } });
  }

  /** Deletes the consent events, the journal's mentions of them, then the state. Returns how many documents went. */
  async erase(address: string): Promise<number> {
    const { stateCol, eventCol, pendingCol } = this.deps.collections;
    const events = await eventCol.deleteMany({ address });
    let journal = 0;
    // The journal holds only the writes in flight (a handful of entries), so it is read whole; an
    // entry may name other addresses' events too (a bulk batch): only this address's ids leave it.
    for (const entry of await pendingCol.find({}).toArray()) {
      const kept = entry.events.filter((id) => parseEventId(id)?.address !== address);
      if (kept.length === entry.events.length) continue;
      journal++;
      if (kept.length === 0) await pendingCol.deleteOne({ _id: entry._id });
      else await pendingCol.updateOne({ _id: entry._id }, { $set: { events: kept } });
    }
    const state = await stateCol.deleteOne({ _id: address });
    return events.deletedCount + journal + state.deletedCount;
  }
}
