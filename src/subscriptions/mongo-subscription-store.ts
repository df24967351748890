import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog } from './catalog.ts';
import { addressStateModel, type AddressStateDoc, type AddressStateModel } from './address-state.model.ts';
import { consentEventModel, eventId, parseEventId, type ConsentEventDoc, type ConsentEventModel } from './consent-event.model.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { pendingWriteModel, type PendingWriteDoc, type PendingWriteModel } from './pending-write.model.ts';
import { applyDiff, diffChange, type StateDiff } from './state-change.ts';
import type { ApplyOptions, SubscriptionStore } from './subscription-store.ts';
import {
  CONSENT_SOURCES,
  SUPPRESSION_KINDS,
  TYPE_STATES,
  emptyState,
  type AddressState,
  type ChangeContext,
  type StateChange,
} from './types.ts';

const MAX_ATTEMPTS = 100;
const MAX_BACKOFF_MS = 50;
const DUPLICATE_KEY = 11000;

/** Rows leaving the database are parsed, so a corrupted document fails loudly instead of allowing a send. */
const stateDocSchema = z.object({
  address: z.string(),
  optedOutOfAll: z.boolean(),
  subscriptions: z.record(z.string(), z.enum(TYPE_STATES)),
  suppression: z
    .object({ kind: z.enum(SUPPRESSION_KINDS), at: z.date(), source: z.enum(CONSENT_SOURCES), detail: z.string().optional() })
    .nullish(),
  updatedAt: z.date(),
  version: z.number().int().min(1),
});

function toState(doc: unknown): AddressState {
  const parsed = stateDocSchema.safeParse(doc);
  if (!parsed.success) throw new AppError('corrupt_state', 'A stored address state is not readable', { cause: parsed.error });
  const { suppression, ...rest } = parsed.data;
  return { ...rest, suppression: suppression ?? undefined };
}

/** One consent event as the history API shows it. */
export interface ConsentEventView {
  id: string;
  address: string;
  version: number;
  at: Date;
  source: ConsentEventDoc['source'];
  actor?: string;
  before: StateDiff;
  after: StateDiff;
  ip?: string;
  userAgent?: string;
  messageId?: string;
  legalBasis?: ConsentEventDoc['legalBasis'];
  legalBasisExplanation?: string;
  importJobId?: string;
}

export interface ApplyItem {
  address: string;
  change: StateChange;
  context: ChangeContext;
  options?: ApplyOptions;
}
export type ApplyItemResult = { changed: boolean } | { error: AppError };

const isDuplicateKey = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;

interface BulkWriteErrorLike {
  writeErrors?: { index: number; code: number }[] | { index: number; code: number };
}
/** Indexes of the operations a bulk write refused as duplicates; anything else is rethrown. */
function duplicateIndexes(err: unknown): Set<number> {
  const raw = (err as BulkWriteErrorLike).writeErrors;
  const writeErrors = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
  return new Set(writeErrors.map((e) => e.index));
}

/** The `$set` that moves a state document to an event's version. */
function setFor(event: Pick<ConsentEventDoc, '_id' | 'after' | 'at' | 'version'>): Record<string, unknown> {
  const set: Record<string, unknown> = { updatedAt: event.at, version: event.version, lastEventId: event._id };
  if (event.after.optedOutOfAll !== undefined) set.optedOutOfAll = event.after.optedOutOfAll;
  for (const [type, value] of Object.entries(event.after.subscriptions ?? {})) set[`subscriptions.${type}`] = value;
  if (event.after.suppression !== undefined) set.suppression = event.after.suppression;
  return set;
}

/** The first document of an address, made by its first event. */
function firstDoc(address: string, event: Pick<ConsentEventDoc, '_id' | 'after' | 'at'>): AddressStateDoc {
  const state = applyDiff(emptyState(address), event.after, event.at);
  return {
    _id: address,
    address,
    optedOutOfAll: state.optedOutOfAll,
    subscriptions: state.subscriptions,
    suppression: state.suppression ?? null,
    updatedAt: event.at,
    version: 1,
    lastEventId: event._id,
  };
}

function toView(e: ConsentEventDoc): ConsentEventView {
  const view: ConsentEventView = { id: e._id, address: e.address, version: e.version, at: e.at, source: e.source, before: e.before, after: e.after };
  for (const key of ['actor', 'ip', 'userAgent', 'messageId', 'legalBasis', 'legalBasisExplanation', 'importJobId'] as const) {
    if (e[key] !== undefined && e[key] !== null) Object.assign(view, { [key]: e[key] });
  }
  return view;
}

export interface MongoSubscriptionStoreDeps {
  db: Connection;
  catalog: SubscriptionCatalog;
  logger: Logger;
}

/**
 * Subscription state and consent events on MongoDB/FerretDB, without transactions:
 * 1. the event is inserted `pending` with version = state version + 1 (unique per address, so two
 *    writers cannot both claim the next version);
 * 2. the state moves to that version by compare-and-set on `version` (or is inserted at version 1);
 * 3. the event is marked `applied`.
 * A crash after 1 leaves a pending event that is not yet in effect (reads ignore it, the state is
 * untouched); the next writer of that address, or repairPending(), rolls it forward — it was
 * computed against exactly that state version, so finishing it is always correct. A crash can
 * therefore never leave a change without its event.
 */
export class MongoSubscriptionStore implements SubscriptionStore {
  readonly states: AddressStateModel;
  readonly events: ConsentEventModel;
  readonly pending: PendingWriteModel;
  /** The driver's collections, typed, for the writes that must not be cast or buffered by mongoose. */
  private readonly stateCol: mongo.Collection<AddressStateDoc>;
  private readonly eventCol: mongo.Collection<ConsentEventDoc>;
  private readonly pendingCol: mongo.Collection<PendingWriteDoc>;
  private readonly catalog: SubscriptionCatalog;
  private readonly logger: Logger;
  private readonly locks = new KeyedQueue();

  constructor(deps: MongoSubscriptionStoreDeps) {
    this.states = addressStateModel(deps.db);
    this.events = consentEventModel(deps.db);
    this.stateCol = this.states.collection as unknown as mongo.Collection<AddressStateDoc>;
    this.eventCol = this.events.collection as unknown as mongo.Collection<ConsentEventDoc>;
    this.pending = pendingWriteModel(deps.db);
    this.pendingCol = this.pending.collection as unknown as mongo.Collection<PendingWriteDoc>;
    this.catalog = deps.catalog;
    this.logger = deps.logger;
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([this.states.createIndexes(), this.events.createIndexes(), this.pending.createIndexes()]);
  }

  async get(address: string): Promise<AddressState> {
    const doc = await this.states.findOne({ _id: address }).lean();
    return doc ? toState(doc) : emptyState(address);
  }

  async getMany(addresses: string[]): Promise<Map<string, AddressState>> {
    const unique = [...new Set(addresses)];
    const result = new Map<string, AddressState>();
    if (unique.length === 0) return result;
    // One $in: MongoDB answers it from the _id index. FerretDB 1.24 (SQLite) scans the collection
    // for any find, even by _id, up to the match (all of it for a miss): one scan for the whole
    // batch is still far cheaper there than one scan per address.
    const docs = await this.states.find({ _id: { $in: unique } }).lean();
    for (const doc of docs) result.set(doc.address, toState(doc));
    for (const address of unique) if (!result.has(address)) result.set(address, emptyState(address));
    return result;
  }

  async apply(address: string, change: StateChange, context: ChangeContext, options: ApplyOptions = {}): Promise<{ state: AddressState; changed: boolean }> {
    this.checkTypes(change);
    // Changes to one address from this process take turns: racing them would only make all but
    // one lose the compare-and-set and retry. Other processes are still kept apart by the CAS.
    return this.locks.run(address, () => this.applyNow(address, change, context, options));
  }

  private async applyNow(address: string, change: StateChange, context: ChangeContext, options: ApplyOptions): Promise<{ state: AddressState; changed: boolean }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.get(address);
      options.guard?.(current);
      const diff = diffChange(current, change);
      if (!diff) return { state: current, changed: false };
      const event = this.newEvent(address, current.version + 1, diff, context, options);
      const journal: PendingWriteDoc = { _id: randomUUID(), events: [event._id], at: event.at };
      await this.pendingCol.insertOne(journal);
      try {
        await this.eventCol.insertOne(event);
      } catch (err) {
        await this.pendingCol.deleteOne({ _id: journal._id });
        if (!isDuplicateKey(err)) throw err;
        // Someone else claimed this version: finish their event if they have not (they may have
        // crashed between their two writes), then retry on top of it.
        await this.rollForward(address, current.version + 1);
        await delay(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
        continue;
      }
      await this.moveState(event, current.version);
      await this.pendingCol.deleteOne({ _id: journal._id });
      return { state: applyDiff(current, diff.after, event.at), changed: true };
    }
    throw new AppError('concurrent_update', 'Too many concurrent changes to this address; try again', { status: 409 });
  }

  /**
   * Applies many changes with a handful of round trips: one $in read, one insertMany of events,
   * one bulkWrite of states, one updateMany marking events applied. Changes to an address already
   * in this call, and changes that lose a race, fall back to apply() one by one, in order.
   * Results are in the order of `items`; a refused item (guard, unknown type) carries its error.
   */
  async applyMany(items: ApplyItem[]): Promise<ApplyItemResult[]> {
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
    const states = await this.getMany(first.map((i) => items[i]!.address));
    const planned: { index: number; event: ConsentEventDoc; baseVersion: number }[] = [];
    for (const index of first) {
      const item = items[index]!;
      const current = states.get(item.address)!;
      try {
        this.checkTypes(item.change);
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
      planned.push({ index, event: this.newEvent(item.address, current.version + 1, diff, item.context, item.options ?? {}), baseVersion: current.version });
    }

    let lost = new Set<number>();
    if (planned.length > 0) {
      const journal: PendingWriteDoc = { _id: randomUUID(), events: planned.map((p) => p.event._id), at: new Date() };
      await this.pendingCol.insertOne(journal);
      try {
        await this.eventCol.insertMany(
          planned.map((p) => p.event),
          { ordered: false },
        );
      } catch (err) {
        lost = duplicateIndexes(err);
      }
      const won = planned.filter((_, i) => !lost.has(i));
      if (won.length > 0) {
        try {
          await this.stateCol.bulkWrite(
            won.map(({ event, baseVersion }) =>
              baseVersion === 0
                ? { insertOne: { document: firstDoc(event.address, event) } }
                : { updateOne: { filter: { _id: event.address, version: baseVersion }, update: { $set: setFor(event) } } },
            ),
            { ordered: false },
          );
        } catch (err) {
          // A duplicate first document means another writer already rolled our event forward.
          duplicateIndexes(err);
        }
        // A CAS that matched nothing is fine too: version N+1 can only come from our event (unique).
        for (const p of won) results[p.index] = { changed: true };
      }
      await this.pendingCol.deleteOne({ _id: journal._id });
      for (const i of lost) later.push(planned[i]!.index);
    }

    later.sort((a, b) => a - b);
    for (const index of later) {
      const item = items[index]!;
      try {
        const { changed } = await this.apply(item.address, item.change, item.context, item.options);
        results[index] = { changed };
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        results[index] = { error: err };
      }
    }
    return results.map((r) => r ?? { changed: false });
  }

  /** The consent events in effect for an address, oldest first. */
  async history(address: string): Promise<ConsentEventView[]> {
    const [state, events] = await Promise.all([
      this.get(address),
      this.events.find({ address }).sort({ version: 1 }).lean<ConsentEventDoc[]>(),
    ]);
    // An event above the state's version is one a crashed writer left; it is not (yet) in effect.
    return events.filter((e) => e.version <= state.version).map(toView);
  }

  /** Every stored address state, streamed in address order. */
  async *streamStates(): AsyncGenerator<AddressState> {
    const cursor = this.states.find({}).sort({ _id: 1 }).lean().cursor({ batchSize: 1000 }); // _id = address: the built-in index serves the order
    try {
      for await (const doc of cursor) yield toState(doc);
    } finally {
      await cursor.close();
    }
  }

  /** Finishes the writes a crashed writer left in the journal (older than `olderThanMs`). Returns how many. */
  async repairPending(olderThanMs = 60_000): Promise<number> {
    const stale = await this.pendingCol.find({ at: { $lt: new Date(Date.now() - olderThanMs) } }).limit(1000).toArray();
    for (const entry of stale) {
      for (const id of entry.events) {
        const parsed = parseEventId(id);
        if (parsed) await this.rollForward(parsed.address, parsed.version);
      }
      await this.pendingCol.deleteOne({ _id: entry._id });
    }
    if (stale.length > 0) this.logger.info({ event: 'subscriptions.repaired_pending', count: stale.length });
    return stale.length;
  }

  /** Makes the event for (address, version) take effect if the state is still one version behind it. */
  private async rollForward(address: string, version: number): Promise<void> {
    const event = await this.events.findOne({ _id: eventId(address, version) }).lean<ConsentEventDoc>();
    if (!event) return;
    const current = await this.get(address);
    if (current.version === version - 1) await this.moveState(event, current.version);
  }

  /** CAS from baseVersion to event.version. Losing means someone rolled this very event forward already. */
  private async moveState(event: ConsentEventDoc, baseVersion: number): Promise<void> {
    if (baseVersion === 0) {
      try {
        await this.stateCol.insertOne(firstDoc(event.address, event));
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      return;
    }
    await this.stateCol.updateOne({ _id: event.address, version: baseVersion }, { $set: setFor(event) });
  }

  private newEvent(address: string, version: number, diff: { before: StateDiff; after: StateDiff }, context: ChangeContext, options: ApplyOptions): ConsentEventDoc {
    const event: ConsentEventDoc = { _id: eventId(address, version), address, version, ...diff, source: context.source, at: new Date() };
    for (const key of ['actor', 'ip', 'userAgent', 'messageId', 'legalBasis', 'legalBasisExplanation'] as const) {
      if (context[key] !== undefined) Object.assign(event, { [key]: context[key] });
    }
    if (options.importJobId !== undefined) event.importJobId = options.importJobId;
    return event;
  }

  private checkTypes(change: StateChange): void {
    const unknown = Object.keys(change.subscriptions ?? {}).filter((type) => !this.catalog.has(type));
    if (unknown.length > 0) {
      throw new AppError('unknown_subscription_type', `Unknown subscription type: ${unknown.join(', ')}`, { status: 422, details: { unknown } });
    }
  }
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  throw err;
}
