import { Schema, type Connection, type Model, type mongo } from 'mongoose';
import { MESSAGE_KINDS, type MessageKind } from '../subscriptions/types.ts';
import { LOCALES, type Locale } from '../templates/types.ts';
import { MESSAGE_STATUSES, type MessageStatus } from './message-input.ts';

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
  data: string;
  subscriptionType?: string;
  from?: string;
  replyTo?: string;
  locale: Locale;
  /**
   * Always set, so a plain unique index works everywhere (FerretDB has no partial indexes):
   * `k:<key>` for a caller's idempotency key, `m:<id>` otherwise.
   */
  idempotencyKey: string;
  sendAt?: Date;
  status: MessageStatus;
  /** Stable code of why a message is suppressed or failed (e.g. `opted_out_of_all`, `hard_bounce`). */
  reason?: string;
  /** Human-readable detail for `reason` (an SMTP reply, a render error). */
  detail?: string;
  attempts: number;
  smtpResponse?: string;
  smtpMessageId?: string;
  createdAt: Date;
  sentAt?: Date;
}

export const idempotencyKeyFor = (id: string, callerKey: string | undefined): string => (callerKey === undefined ? `m:${id}` : `k:${callerKey}`);

const messageSchema = new Schema<MessageRecord>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: MESSAGE_KINDS, required: true },
    to: { type: String, required: true },
    template: { type: String, required: true },
    data: { type: String, required: true },
    subscriptionType: String,
    from: String,
    replyTo: String,
    locale: { type: String, enum: LOCALES, required: true },
    idempotencyKey: { type: String, required: true },
    sendAt: Date,
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    reason: String,
    detail: String,
    attempts: { type: Number, required: true },
    smtpResponse: String,
    smtpMessageId: String,
    createdAt: { type: Date, required: true },
    sentAt: Date,
  },
  { collection: 'messages', versionKey: false },
);

// Enqueue: a repeated idempotency key finds the first message (and cannot create a second).
messageSchema.index({ idempotencyKey: 1 }, { unique: true });

export type MessageModel = Model<MessageRecord>;

export function messageModel(db: Connection): MessageModel {
  return (db.models.Message as MessageModel | undefined) ?? db.model<MessageRecord>('Message', messageSchema);
}

/** The driver's collection, typed: the hot paths (bulk insert, batched reads and writes) skip mongoose's per-document work. */
export const messageCollection = (model: MessageModel): mongo.Collection<MessageRecord> => model.collection as unknown as mongo.Collection<MessageRecord>;
