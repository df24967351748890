import { createHash } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { tryNormalizeAddress } from '../addresses/index.ts';
import { duplicateIndexesOrThrow, isDuplicateKey } from '../shared/mongo-errors.ts';
import type { ErasureRestrictions } from '../subscriptions/index.ts';
import { withoutAddress } from './erased-feedback.ts';
import type { FeedbackEvent } from './feedback-event.ts';
import { feedbackRecordModel, type FeedbackRecord, type FeedbackRecordModel } from './feedback-record.model.ts';

export const recordIdOf = (event: Pick<FeedbackEvent, 'provider' | 'eventId'>): string => `${event.provider}:${event.eventId}`.slice(0, 500);

/** A BullMQ job id for a record (job ids may not hold ':'): a digest of the record id. */
export const feedbackJobId = (recordId: string): string => `fb-${createHash('sha256').update(recordId).digest('hex').slice(0, 40)}`;

/** What the feedback reconciler reads of an unapplied record. */
export type UnappliedFeedback = Pick<FeedbackRecord, '_id' | 'receivedAt' | 'unverified'>;

export interface FeedbackRepositoryDeps {
  db: Connection;
  /** Which addresses are erased without a state: their feedback is filed under the erasure record's key (erased-feedback.ts). */
  erasures: Pick<ErasureRestrictions, 'erasedKeys'>;
}

/** Persistence of received feedback: stored once, read by id, counted per address. */
export class FeedbackRepository {
  readonly model: FeedbackRecordModel;
  private readonly col: mongo.Collection<FeedbackRecord>;

  constructor(private readonly deps: FeedbackRepositoryDeps) {
    this.model = feedbackRecordModel(deps.db);
    this.col = this.model.collection as unknown as mongo.Collection<FeedbackRecord>;
  }

  ensureIndexes(): Promise<unknown> {
    return this.model.createIndexes();
  }

  /**
   * Stores events once each (unordered insert; a duplicate id is a replay). Returns the record id
   * of every event, and which of them are new. An event about an erased address without a state is
   * stored without the address, under its erasure record's key (erased-feedback.ts); when that
   * cannot be told (the lookup fails) nothing is stored and this throws, so the relay retries.
   */
  async store(events: FeedbackEvent[], receivedAt: Date): Promise<{ ids: string[]; fresh: Set<string> }> {
    const addresses = events.map((event) => {
      const normalized = event.address === undefined ? undefined : tryNormalizeAddress(event.address);
      return normalized?.ok ? normalized.address : null;
    });
    const named = addresses.filter((a): a is string => a !== null);
    const erased = named.length > 0 ? await this.deps.erasures.erasedKeys(named) : new Map<string, string>();
    const seen = new Set<string>();
    const records: FeedbackRecord[] = [];
    events.forEach((event, i) => {
      const address = addresses[i] ?? null;
      const erasedKey = address === null ? undefined : erased.get(address);
      const record = address !== null && erasedKey ? withoutAddress(event, address, erasedKey) : { ...event, address };
      const _id = recordIdOf(record);
      if (seen.has(_id)) return; // the same event twice in one payload
      seen.add(_id);
      records.push({ ...record, _id, receivedAt });
    });
    if (records.length === 0) return { ids: [], fresh: new Set() };
    let duplicates = new Set<number>();
    try {
      await this.col.insertMany(records, { ordered: false });
    } catch (err) {
      duplicates = duplicateIndexesOrThrow(err);
    }
    return { ids: records.map((r) => r._id), fresh: new Set(records.filter((_, i) => !duplicates.has(i)).map((r) => r._id)) };
  }

  /**
   * Keeps vendor events that could not be read (`FeedbackEvent.raw`), once each, already marked
   * applied: for an operator to look at until retention removes them, never acted on.
   */
  async keepUnreadable(events: FeedbackEvent[], receivedAt: Date): Promise<void> {
    const records = new Map<string, FeedbackRecord>();
    for (const event of events) {
      const _id = recordIdOf(event);
      records.set(_id, { ...event, _id, address: null, receivedAt, appliedAt: receivedAt });
    }
    try {
      await this.col.insertMany([...records.values()], { ordered: false });
    } catch (err) {
      duplicateIndexesOrThrow(err); // kept before: a retried delivery of the same body
    }
  }

  /**
   * Keeps a report that proved nothing (report-proof.ts), once per report, without any address it
   * names: what it claimed, when, and why it was not believed. Never applied (no job is added).
   */
  async storeUnverified(report: { reportId: string; provider: FeedbackEvent['provider']; type: FeedbackEvent['type']; reason: string; headerMessageId?: string | undefined; named: number }, receivedAt: Date): Promise<void> {
    const record: FeedbackRecord = {
      _id: `unverified:${report.provider}:${report.reportId}`.slice(0, 500),
      type: report.type,
      address: null,
      at: receivedAt,
      provider: report.provider,
      eventId: report.reportId.slice(0, 200),
      detail: `named ${report.named} address(es)`,
      message: report.headerMessageId === undefined ? {} : { headerMessageId: report.headerMessageId.slice(0, 200) },
      receivedAt,
      unverified: report.reason,
    };
    try {
      await this.col.insertOne(record);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // the same report again: kept once
    }
  }

  /** Deletes raw feedback received before `cutoff` (retention; consent events keep what it changed). */
  async deleteReceivedBefore(cutoff: Date): Promise<number> {
    const { deletedCount } = await this.col.deleteMany({ receivedAt: { $lt: cutoff } });
    return deletedCount;
  }

  /** Every stored feedback event about an address, oldest first (the person's access export). */
  forAddress(address: string): Promise<FeedbackRecord[]> {
    return this.col.find({ address }).sort({ at: 1 }).toArray();
  }

  /** Every stored feedback event filed under an erasure record's key, oldest first (the export of an erased address). */
  forErasure(erasedKey: string): Promise<FeedbackRecord[]> {
    return this.col.find({ erasedKey }).sort({ at: 1 }).toArray();
  }

  /**
   * Deletes the raw feedback about an address (an erasure): events naming it, events naming one of
   * its messages (a relay's event may carry no address we could read), and events filed under its
   * erasure record's key since an earlier erasure. Returns how many.
   */
  async deleteForAddress(address: string, messageIds: string[], erasedKey?: string): Promise<number> {
    const byAddress = await this.col.deleteMany({ address });
    const byMessage = messageIds.length > 0 ? await this.col.deleteMany({ 'message.messageId': { $in: messageIds } }) : { deletedCount: 0 };
    const byKey = erasedKey ? await this.col.deleteMany({ erasedKey }) : { deletedCount: 0 };
    return byAddress.deletedCount + byMessage.deletedCount + byKey.deletedCount;
  }

  /** Whether any raw feedback names the address. */
  async holdsAddress(address: string): Promise<boolean> {
    return (await this.col.findOne({ address }, { projection: { _id: 1 } })) !== null;
  }

  find(id: string): Promise<FeedbackRecord | null> {
    return this.col.findOne({ _id: id });
  }

  async markApplied(id: string, at: Date): Promise<void> {
    await this.col.updateOne({ _id: id }, { $set: { appliedAt: at } });
  }

  /**
   * Records not applied yet, received in `window`, oldest first, a page after `after` (the
   * reconciler's walk): by the `{appliedAt, receivedAt}` index (a missing field is indexed as
   * null, so applied records are never walked). Only `_id`, `receivedAt` and `unverified` are read.
   */
  findUnapplied(window: { from: Date; to: Date }, after: Pick<FeedbackRecord, '_id' | 'receivedAt'> | undefined, limit: number): Promise<UnappliedFeedback[]> {
    const range = { appliedAt: { $exists: false }, receivedAt: { $gte: window.from, $lt: window.to } };
    const filter = after ? { ...range, $or: [{ receivedAt: { $gt: after.receivedAt } }, { receivedAt: after.receivedAt, _id: { $gt: after._id } }] } : range;
    return this.col.find(filter, { projection: { _id: 1, receivedAt: 1, unverified: 1 } }).sort({ receivedAt: 1, _id: 1 }).limit(limit).toArray();
  }

  /**
   * Soft bounces of an address since `since` and after its last delivery, this event included.
   * Counted once per message: relays report every retry of one message (Mailgun's temporary
   * failures), and one slow mailbox must not reach the limit with one message.
   */
  softBouncesSinceDelivery(address: string, since: Date): Promise<number> {
    return this.softBounces({ address }, since);
  }

  /** The same for an erased address, whose feedback is filed under its erasure record's key. */
  softBouncesOfErasure(erasedKey: string, since: Date): Promise<number> {
    return this.softBounces({ erasedKey }, since);
  }

  private async softBounces(who: { address: string } | { erasedKey: string }, since: Date): Promise<number> {
    const recent = await this.col
      .find({ ...who, at: { $gte: since } }, { projection: { type: 1, at: 1, message: 1 } })
      .sort({ at: -1 })
      .limit(1000)
      .toArray();
    const messages = new Set<string>();
    for (const r of recent) {
      if (r.type === 'delivered') break;
      if (r.type === 'soft_bounce') messages.add(r.message?.messageId ?? r.message?.headerMessageId ?? r.message?.relayMessageId ?? r._id);
    }
    return messages.size;
  }
}
