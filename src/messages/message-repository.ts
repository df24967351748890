import type { Connection, mongo } from 'mongoose';
import type { OutboxMark } from '../shared/app-events.ts';
import { duplicateIndexesOrThrow, isDuplicateKey } from '../shared/mongo-errors.ts';
import { findByIds, type ReadShape } from '../shared/mongo.ts';
import { messageModel, type MessageModel, type MessageRecord } from './message.model.ts';
import { messageFeedbackModel, type MessageDelay, type MessageFeedbackDoc, type MessageFeedbackModel } from './message-feedback.model.ts';
import { messageOutcomeModel, type MessageOutcome, type MessageOutcomeModel } from './message-outcome.model.ts';

/** A final outcome to record: everything of MessageOutcome but the id and its outbox mark. */
export type FinalOutcome = Omit<MessageOutcome, '_id' | 'outbox'>;

/** What the send use case needs of a record; the rest (key, SMTP reply) is never read there. */
const SEND_PROJECTION = { idempotencyKey: 0, smtpResponse: 0, smtpMessageId: 0 } as const;
const VIEW_PROJECTION = { data: 0, idempotencyKey: 0 } as const;
const ROUTING_PROJECTION = { sendAt: 1, kind: 1, subscriptionType: 1, stream: 1 } as const;

/** What the reconciler reads of a record. */
/** What feedback needs of the message it names: whom it went to, what it was, whether it was sent tagged, and where it left from (the guard counts by stream and From). */
export type FeedbackTarget = Pick<MessageRecord, '_id' | 'to' | 'kind' | 'template' | 'subscriptionType' | 'tagged' | 'stream' | 'from'>;

export type ReconcileCandidate = Pick<MessageRecord, '_id' | 'createdAt' | 'sendAt' | 'kind' | 'to' | 'template' | 'subscriptionType' | 'stream'>;
/** What adding a job for a stored message reads: its id, its time, and what routes it (send-jobs.ts). */
export type RoutingFields = Pick<MessageRecord, '_id' | 'sendAt' | 'kind' | 'subscriptionType' | 'stream'>;

/** What relay feedback records about a message: bounced or complained. */
export interface MessageFeedback {
  type: 'hard_bounce' | 'complaint';
  at: Date;
  provider: string;
  eventId: string;
  statusCode?: string;
  diagnostic?: string;
}

/** A message as it stands: its record with its final outcome, if any, merged over it, and relay feedback. */
export type StoredMessage = MessageRecord & Partial<FinalOutcome> & { feedback?: MessageFeedback; delayed?: MessageDelay };

/** A message with what the relay reported about it: a bounce or complaint sets its status; a delay is shown beside it. */
function withFeedback(message: StoredMessage, doc: MessageFeedbackDoc | null | undefined): StoredMessage {
  if (!doc) return message;
  const { _id: _ignored, status, delayed, type, at, provider, eventId, statusCode, diagnostic } = doc;
  const reported =
    status !== undefined && type !== undefined && at !== undefined
      ? { status, feedback: { type, at, provider: provider ?? 'unknown', eventId: eventId ?? '', ...(statusCode ? { statusCode } : {}), ...(diagnostic ? { diagnostic } : {}) } }
      : {};
  return { ...message, ...reported, ...(delayed ? { delayed } : {}) };
}

/** The record as it stands: its outcome, if it has one, over the stored record (still `queued`). */
export function withOutcome<T extends Partial<MessageRecord>>(record: T, outcome: MessageOutcome | null | undefined): T & Partial<FinalOutcome> {
  if (!outcome) return record;
  const { _id: _ignored, outbox: _unannounced, ...fields } = outcome;
  return { ...record, ...fields };
}

/**
 * Message persistence: records in `messages` (written once at enqueue) and final outcomes in
 * `message_outcomes` (inserted once, never updated: see docs/ferretdb.md). The status a caller sees
 * is always the merge of the two (`withOutcome`), done here and nowhere else.
 */
export class MessageRepository {
  readonly model: MessageModel;
  readonly outcomes: MessageOutcomeModel;
  readonly feedback: MessageFeedbackModel;
  private readonly records: mongo.Collection<MessageRecord>;
  private readonly outcomeCol: mongo.Collection<MessageOutcome>;

  private readonly readShape: ReadShape;

  /** `readShape`: how loadForSend reads many records (the composition root asks the server). */
  constructor(deps: { db: Connection; readShape?: ReadShape }) {
    this.readShape = deps.readShape ?? 'batched';
    this.model = messageModel(deps.db);
    this.outcomes = messageOutcomeModel(deps.db);
    this.feedback = messageFeedbackModel(deps.db);
    // The driver's collections, typed: the hot paths skip mongoose's per-document work.
    this.records = this.model.collection as unknown as mongo.Collection<MessageRecord>;
    this.outcomeCol = this.outcomes.collection as unknown as mongo.Collection<MessageOutcome>;
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([this.model.createIndexes(), this.outcomes.createIndexes(), this.feedback.createIndexes()]);
  }

  /** `duplicate` when the idempotency key is taken (the caller looks up the first message). */
  async insert(record: MessageRecord): Promise<'inserted' | 'duplicate'> {
    try {
      await this.records.insertOne(record);
      return 'inserted';
    } catch (err) {
      if (isDuplicateKey(err)) return 'duplicate';
      throw err;
    }
  }

  /** Unordered insert; returns the indexes refused as duplicate keys. Any other failure throws. */
  async insertMany(records: MessageRecord[]): Promise<Set<number>> {
    try {
      await this.records.insertMany(records, { ordered: false });
      return new Set();
    } catch (err) {
      return duplicateIndexesOrThrow(err);
    }
  }

  /** The records holding these idempotency keys, with their outcomes merged, by key. */
  async findByKeys(keys: string[]): Promise<Map<string, RoutingFields & Pick<MessageRecord, 'idempotencyKey' | 'status'>>> {
    const found = await this.records.find({ idempotencyKey: { $in: keys } }, { projection: { _id: 1, idempotencyKey: 1, status: 1, ...ROUTING_PROJECTION } }).toArray();
    const outcomes = await this.findOutcomes(found.map((doc) => doc._id));
    return new Map(found.map((doc) => [doc.idempotencyKey, withOutcome(doc, outcomes.get(doc._id))]));
  }

  /**
   * The records of many messages in one `$in`, in the order asked (null where none): the send
   * use case batches the records of every job running at once through this.
   */
  async loadForSend(ids: string[]): Promise<(MessageRecord | null)[]> {
    // One $in on MongoDB; parallel finds by _id on FerretDB, which pushes down no $in (docs/ferretdb.md).
    const found = await findByIds(this.records, [...new Set(ids)], this.readShape, SEND_PROJECTION);
    const byId = new Map(found.map((r) => [r._id, r as MessageRecord]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Which of these messages have their final outcome already: read like loadForSend (one `$in`, or finds by `_id`). */
  async finalAmong(ids: string[]): Promise<Set<string>> {
    const found = await findByIds(this.outcomeCol, [...new Set(ids)], this.readShape, { _id: 1 });
    return new Set(found.map((o) => o._id));
  }

  /**
   * Records final outcomes by insert. A duplicate `_id` means that message is final already: the
   * first outcome stands, so a late duplicate job can never overwrite it. `outbox`: the outcome's
   * event, unannounced, in the same insert (shared/app-events.ts OutboxMark).
   */
  async recordOutcomes(items: { id: string; outcome: FinalOutcome; outbox?: OutboxMark }[]): Promise<void> {
    if (items.length === 0) return;
    try {
      await this.outcomeCol.insertMany(
        items.map(({ id, outcome, outbox }) => ({ ...outcome, _id: id, at: outcome.at ?? new Date(), ...(outbox ? { outbox } : {}) })),
        { ordered: false },
      );
    } catch (err) {
      duplicateIndexesOrThrow(err);
    }
  }

  /** One message as it stands (record, outcome and relay feedback: three point reads), without its data. */
  async findView(id: string): Promise<StoredMessage | null> {
    const [stored, outcome, feedback] = await Promise.all([
      this.model.findById(id, VIEW_PROJECTION).lean<MessageRecord>().exec(),
      this.outcomeCol.findOne({ _id: id }),
      this.feedback.findById(id).lean<MessageFeedbackDoc>().exec(),
    ]);
    if (!stored) return null;
    return withFeedback(withOutcome(stored, outcome), feedback);
  }

  /** Keeps the relay's latest delay warning on a message (its status does not change). Replaying it writes the same values. */
  async recordDelay(id: string, delay: MessageDelay): Promise<void> {
    await this.feedback.collection.updateOne({ _id: id } as never, { $set: { delayed: delay } }, { upsert: true });
  }

  /** What routes a message to its stream (a point read), or null: the legacy queue's mover reads it. */
  async findForRouting(id: string): Promise<RoutingFields | null> {
    return this.records.findOne({ _id: id }, { projection: { _id: 1, ...ROUTING_PROJECTION } });
  }

  /** The recipient and kind of a message that relay feedback names (a point read), or null. */
  async findForFeedback(id: string): Promise<FeedbackTarget | null> {
    return this.records.findOne({ _id: id }, { projection: { _id: 1, to: 1, kind: 1, template: 1, subscriptionType: 1, tagged: 1, stream: 1, from: 1 } });
  }

  /** Our message id for the relay's id (from its `250` reply), or undefined. SendGrid's ids carry a suffix: matched on the prefix we stored. */
  async idForRelayId(relayMessageId: string): Promise<string | undefined> {
    const found = await this.outcomeCol.findOne({ relayMessageId }, { projection: { _id: 1 } });
    return found?._id;
  }

  /**
   * Moves a sent message to `bounced` or `complained`. A later complaint replaces a bounce (it says
   * more); replaying the same event writes the same values. `outbox`: its webhook event, unannounced,
   * in the same write (shared/app-events.ts OutboxMark).
   */
  async recordFeedback(id: string, feedback: MessageFeedback, outbox?: OutboxMark): Promise<void> {
    const status = feedback.type === 'complaint' ? 'complained' : 'bounced';
    const filter = status === 'bounced' ? { _id: id, status: { $ne: 'complained' as const } } : { _id: id };
    try {
      await this.feedback.updateOne(filter, { $set: { ...feedback, status, ...(outbox ? { outbox } : {}) } }, { upsert: true });
    } catch (err) {
      // The upsert of a bounce met an existing complaint (filtered out, so it tried to insert): the complaint stands.
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * A page of records still stored `queued` (all of them: records are insert-once) created in
   * [from, to), oldest first, after the (createdAt, _id) of the previous page: the reconciler walks
   * these, keyed by the `{status, createdAt}` index.
   */
  async findQueuedCreated(window: { from: Date; to: Date }, after: Pick<MessageRecord, '_id' | 'createdAt'> | undefined, limit: number): Promise<ReconcileCandidate[]> {
    const range = { status: 'queued' as const, createdAt: { $gte: window.from, $lt: window.to } };
    const filter = after ? { ...range, $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, _id: { $gt: after._id } }] } : range;
    return this.records.find(filter, { projection: { _id: 1, createdAt: 1, to: 1, template: 1, ...ROUTING_PROJECTION } }).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray();
  }

  /** Of these ids, those whose message has no final outcome yet: one `$in` on `message_outcomes` by `_id` per batch. */
  async withoutOutcome(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await this.outcomeCol.find({ _id: { $in: [...new Set(ids)] } }, { projection: { _id: 1 } }).toArray();
    const final = new Set(found.map((o) => o._id));
    return ids.filter((id) => !final.has(id));
  }

  /** Deletes final messages: their records first, then outcomes and relay feedback (see MessageRetention). */
  async deleteFinal(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.records.deleteMany({ _id: { $in: ids } });
    await Promise.all([this.outcomeCol.deleteMany({ _id: { $in: ids } }), this.feedback.deleteMany({ _id: { $in: ids } })]);
  }

  /** The ids of every message to one recipient (an erasure deletes them with deleteFinal), by the `{to, createdAt}` index. */
  async idsFor(to: string): Promise<string[]> {
    const found = await this.records.find({ to }, { projection: { _id: 1 } }).toArray();
    return found.map((r) => r._id);
  }

  async deleteMany(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.records.deleteMany({ _id: { $in: ids } });
  }

  /** Outcomes of these messages by `_id` point reads, in parallel (see docs/ferretdb.md on `$in`). */
  private async findOutcomes(ids: string[]): Promise<Map<string, MessageOutcome>> {
    const found = await Promise.all([...new Set(ids)].map((id) => this.outcomeCol.findOne({ _id: id })));
    return new Map(found.filter((o): o is MessageOutcome => o !== null).map((o) => [o._id, o]));
  }

  /**
   * The latest messages to one recipient, newest first, as they stand (outcomes and relay feedback
   * merged): the console's address page. Keyed by the `{to, createdAt}` index.
   */
  async recentFor(to: string, limit: number): Promise<StoredMessage[]> {
    const records = await this.records.find({ to }, { projection: VIEW_PROJECTION }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    const ids = records.map((r) => r._id);
    const [outcomes, feedback] = await Promise.all([
      this.findOutcomes(ids),
      ids.length > 0 ? this.feedback.find({ _id: { $in: ids } }).lean<MessageFeedbackDoc[]>().exec() : Promise.resolve([]),
    ]);
    const feedbackById = new Map(feedback.map((f) => [f._id, f]));
    return records.map((record) => {
      const message: StoredMessage = withOutcome(record as MessageRecord, outcomes.get(record._id));
      return withFeedback(message, feedbackById.get(record._id));
    });
  }

  /** Outcomes recorded since `since`, by status (the console's activity; every process's sends count). */
  async outcomesSince(since: Date): Promise<Record<string, number>> {
    const rows = await this.outcomeCol.aggregate<{ _id: string; n: number }>([{ $match: { at: { $gte: since } } }, { $group: { _id: '$status', n: { $sum: 1 } } }]).toArray();
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  /** The latest bounces and complaints relays reported, newest first. */
  async recentFeedback(limit: number): Promise<(MessageFeedback & { messageId: string })[]> {
    // Delay-only documents have no status: not a bounce or complaint.
    const rows = await this.feedback.find({ status: { $exists: true } }).sort({ at: -1 }).limit(limit).lean<MessageFeedbackDoc[]>();
    return rows.map(({ _id, status: _status, delayed: _delayed, ...rest }) => ({ ...(rest as MessageFeedback), messageId: _id }));
  }

  /** Message counts by status, outcomes merged over records: for tests, drills and the bench (two scans; not for hot paths). */
  async countByStatus(): Promise<Record<string, number>> {
    const group = [{ $group: { _id: '$status', n: { $sum: 1 } } }];
    const [records, outcomes] = await Promise.all([
      this.records.aggregate<{ _id: string; n: number }>(group).toArray(),
      this.outcomeCol.aggregate<{ _id: string; n: number }>(group).toArray(),
    ]);
    const counts: Record<string, number> = {};
    for (const r of records) counts[r._id] = r.n;
    // Every outcome is of a record still stored as `queued`.
    for (const o of outcomes) {
      counts[o._id] = (counts[o._id] ?? 0) + o.n;
      counts.queued = (counts.queued ?? 0) - o.n;
    }
    if (counts.queued === 0) delete counts.queued;
    return counts;
  }
}
