import { Schema, type Connection, type Model } from 'mongoose';
import { MESSAGE_KINDS, type MessageKind } from '../subscriptions/index.ts';
import { LOCALES, type Locale } from '../shared/locale.ts';
import { MESSAGE_STATUSES, type MessageStatus } from '../contract/index.ts';

/**
 * One message, as stored in the `messages` collection. `_id` is the message id (ObjectId hex, a
 * string) and also the BullMQ job id. `data` is kept as a JSON string: template data may hold keys
 * that some MongoDB-compatible servers refuse as field names, and the worker only ever needs it whole.
 */
export interface MessageRecord {
  _id: string;
  kind: MessageKind;
  to: string;
  template: string;
  /** A stored template: the version current at enqueue, which every attempt renders (docs/rules.md §14). Absent for file templates. */
  templateVersion?: number;
  data: string;
  subscriptionType?: string;
  from?: string;
  replyTo?: string;
  locale: Locale;
  /**
   * Always set, so a plain unique index works everywhere (no partial indexes: see docs/ferretdb.md):
   * `k:<key>` for a caller's idempotency key, `m:<id>` otherwise.
   */
  idempotencyKey: string;
  sendAt?: Date;
  /** Always `queued` when written; where a message stands is its outcome (message-outcome.model.ts). */
  status: MessageStatus;
  attempts: number;
  createdAt: Date;
  /**
   * Written by a version that sends every message with a keyed tag in its VERP and Message-ID
   * (shared/message-tag.ts), so bounce mail about it must carry the tag. Records without it were
   * enqueued before tags: their untagged bounces are still believed (for their own recipient only)
   * until retention removes them, MESSAGE_RETENTION_DAYS after the upgrade.
   */
  tagged?: boolean;
  /** A console test send (messages/enqueue-test.ts): always `transactional`, its subject prefixed "[Test] " when sent. */
  test?: boolean;
  /**
   * The stream it leaves by (stream-routing.ts), decided at enqueue. Records from before streams
   * have none: they are routed by kind and type when a job is added for them.
   */
  stream?: string;
  /** Counted against the frequency caps but never refused by them (docs/rules.md §13); set only when true. */
  bypassFrequencyCap?: boolean;
}

export const idempotencyKeyFor = (id: string, callerKey: string | undefined): string => (callerKey === undefined ? `m:${id}` : `k:${callerKey}`);

const messageSchema = new Schema<MessageRecord>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: MESSAGE_KINDS, required: true },
    to: { type: String, required: true },
    template: { type: String, required: true },
    templateVersion: Number,
    data: { type: String, required: true },
    subscriptionType: String,
    from: String,
    replyTo: String,
    locale: { type: String, enum: LOCALES, required: true },
    idempotencyKey: { type: String, required: true },
    sendAt: Date,
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    attempts: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    tagged: Boolean,
    test: Boolean,
    stream: String,
    bypassFrequencyCap: Boolean,
  },
  { collection: 'messages', versionKey: false },
);

// Enqueue: a repeated idempotency key finds the first message (and cannot create a second).
messageSchema.index({ idempotencyKey: 1 }, { unique: true });
// Reconciler: records still `queued` created in a window, oldest first (message-repository.ts findQueuedCreated).
messageSchema.index({ status: 1, createdAt: 1 });

// Console address page: the latest messages to one recipient (message-repository.ts recentFor).
messageSchema.index({ to: 1, createdAt: -1 });

export type MessageModel = Model<MessageRecord>;

export function messageModel(db: Connection): MessageModel {
  return (db.models.Message as MessageModel | undefined) ?? db.model<MessageRecord>('Message', messageSchema);
}
