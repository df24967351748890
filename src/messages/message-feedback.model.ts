import { Schema, type Connection, type Model } from 'mongoose';
import type { OutboxMark } from '../shared/app-events.ts';

/** The relay's latest "still trying" warning about a message (docs/feedback.md: a delay is not a bounce). */
export interface MessageDelay {
  at: Date;
  provider: string;
  eventId: string;
  statusCode?: string;
  diagnostic?: string;
}

/**
 * What the relay reported about a message after accepting it, in `message_feedback`; `_id` is the
 * message id. Kept apart from the outcome (which is insert-once, see docs/ferretdb.md): a message is
 * `sent` first and may be `bounced` or `complained` later, and may be reported `delayed` on the way
 * (then `status` is absent until a bounce or complaint comes). Rare, so an upsert is fine here.
 */
export interface MessageFeedbackDoc {
  _id: string;
  status?: 'bounced' | 'complained';
  type?: 'hard_bounce' | 'complaint';
  at?: Date;
  provider?: string;
  eventId?: string;
  statusCode?: string;
  diagnostic?: string;
  delayed?: MessageDelay;
  /** Its message.bounced / message.complained until the deliveries are stored (docs/architecture.md "Outbox"). */
  outbox?: OutboxMark;
}

const schema = new Schema<MessageFeedbackDoc>(
  {
    _id: { type: String, required: true },
    status: String,
    type: String,
    at: Date,
    provider: String,
    eventId: String,
    statusCode: String,
    diagnostic: String,
    delayed: { type: Schema.Types.Mixed },
    outbox: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'message_feedback', versionKey: false },
);
// By message: _id. The console's activity: the latest bounces and complaints, sorted by `at` desc.
schema.index({ at: -1 });
// The outbox sweep: sparse, so on MongoDB it holds only reports whose webhook is not announced yet.
schema.index({ 'outbox.at': 1 }, { sparse: true });

export type MessageFeedbackModel = Model<MessageFeedbackDoc>;

export function messageFeedbackModel(db: Connection): MessageFeedbackModel {
  return (db.models.MessageFeedback as MessageFeedbackModel | undefined) ?? db.model<MessageFeedbackDoc>('MessageFeedback', schema);
}
