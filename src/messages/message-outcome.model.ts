import { Schema, type Connection, type Model, type mongo } from 'mongoose';
import { MESSAGE_STATUSES } from './message-input.ts';
import { messageCollection, type MessageModel, type MessageRecord } from './message.model.ts';

/**
 * The final outcome of one message, in the `message_outcomes` collection; `_id` is the message id.
 * Written once, by insert, never updated: FerretDB (SQLite backend) scans the whole collection for
 * every update or delete, even by `_id`, while batched inserts and `_id` point reads stay cheap; on
 * MongoDB all of these are index operations. A duplicate `_id` means the message is already final,
 * so a late duplicate job can never overwrite an outcome (and never sends twice).
 */
export type MessageOutcome = { _id: string } & Pick<MessageRecord, 'status'> &
  Partial<Pick<MessageRecord, 'reason' | 'detail' | 'attempts' | 'smtpResponse' | 'smtpMessageId' | 'sentAt'>>;

const outcomeSchema = new Schema<MessageOutcome>(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    reason: String,
    detail: String,
    attempts: Number,
    smtpResponse: String,
    smtpMessageId: String,
    sentAt: Date,
  },
  // Reads are by _id only (the primary key); no further index.
  { collection: 'message_outcomes', versionKey: false },
);

export type MessageOutcomeModel = Model<MessageOutcome>;

export function messageOutcomeModel(db: Connection): MessageOutcomeModel {
  return (db.models.MessageOutcome as MessageOutcomeModel | undefined) ?? db.model<MessageOutcome>('MessageOutcome', outcomeSchema);
}

/** The driver's collection of outcomes, on the message model's connection. */
export const outcomeCollection = (messages: MessageModel): mongo.Collection<MessageOutcome> =>
  messageOutcomeModel(messages.db).collection as unknown as mongo.Collection<MessageOutcome>;

/** The record as it stands: its outcome, if it has one, over the stored record (still `queued`). */
export function withOutcome<T extends Partial<MessageRecord>>(record: T, outcome: MessageOutcome | null | undefined): T {
  if (!outcome) return record;
  const { _id: _ignored, ...fields } = outcome;
  return { ...record, ...fields };
}

/** Outcomes of these messages by `_id` point reads, in parallel (FerretDB scans for `$in`). */
export async function findOutcomes(messages: MessageModel, ids: string[]): Promise<Map<string, MessageOutcome>> {
  const col = outcomeCollection(messages);
  const found = await Promise.all([...new Set(ids)].map((id) => col.findOne({ _id: id })));
  return new Map(found.filter((o): o is MessageOutcome => o !== null).map((o) => [o._id, o]));
}

/** Message counts by status, outcomes merged over records: for tests, drills and the bench (two scans; not for hot paths). */
export async function countByStatus(messages: MessageModel): Promise<Record<string, number>> {
  const group = [{ $group: { _id: '$status', n: { $sum: 1 } } }];
  const [records, outcomes] = await Promise.all([
    messageCollection(messages).aggregate<{ _id: string; n: number }>(group).toArray(),
    outcomeCollection(messages).aggregate<{ _id: string; n: number }>(group).toArray(),
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
