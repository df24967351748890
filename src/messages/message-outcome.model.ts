import { Schema, type Connection, type Model } from 'mongoose';
import { MESSAGE_STATUSES, type MessageStatus } from '../contract/index.ts';
import type { OutboxMark } from '../shared/app-events.ts';
import type { ConsentMode, DecisionRule } from '../shared/decision-rules.ts';

/**
 * The evidence the send-time check read (docs/rules.md §1): the rule that decided, the version of the
 * address state it read — so the consent event `address#version` the state rested on (0: the address
 * had no recorded change, so no event) — and the consent mode then.
 */
export interface OutcomeDecision {
  rule: DecisionRule;
  stateVersion: number;
  consentMode: ConsentMode;
  /**
   * Marketing under a frequency cap (docs/rules.md §13): `counted`, it took a slot; `bypassed`, it
   * took one though the cap was full (`bypassFrequencyCap`). Absent: no cap covered it.
   */
  frequencyCap?: 'counted' | 'bypassed';
}

/**
 * The final outcome of one message, in the `message_outcomes` collection; `_id` is the message id.
 * Written once, by insert, never updated (see docs/ferretdb.md): a duplicate `_id` means the
 * message is already final.
 */
export interface MessageOutcome {
  _id: string;
  status: MessageStatus;
  /** Stable code of why a message is suppressed or failed (e.g. `opted_out_of_all`, `hard_bounce`). */
  reason?: string;
  /** Human-readable detail for `reason` (an SMTP reply, a render error). */
  detail?: string;
  attempts?: number;
  smtpResponse?: string;
  smtpMessageId?: string;
  /** The relay's own id for the message, from its `250` reply (`queued as …`): relay feedback names it. */
  relayMessageId?: string;
  sentAt?: Date;
  /** Why the check let it go or stopped it. Absent when no decision was made (a failure before it) and on outcomes recorded before decisions were kept. */
  decision?: OutcomeDecision;
  /** The relay that took it, its URL without credentials (e.g. `smtp://relay.example:587`). */
  relay?: string;
  /** When the outcome was recorded (stamped by the repository). */
  at?: Date;
  /**
   * The outcome's webhook event until its deliveries are stored (docs/architecture.md "Outbox"):
   * present only when an endpoint wanted it; the one update an outcome ever gets removes it.
   */
  outbox?: OutboxMark;
}

const outcomeSchema = new Schema<MessageOutcome>(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    reason: String,
    detail: String,
    attempts: Number,
    smtpResponse: String,
    smtpMessageId: String,
    relayMessageId: String,
    sentAt: Date,
    decision: { type: new Schema({ rule: String, stateVersion: Number, consentMode: String, frequencyCap: String }, { _id: false }), default: undefined },
    relay: String,
    at: Date,
    outbox: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'message_outcomes', versionKey: false },
);
// Relay feedback that names only the relay's id (SES, Postmark, SendGrid): `{relayMessageId}`. Reads by message id use _id.
outcomeSchema.index({ relayMessageId: 1 });
// The console's activity: outcomes of the last hour, `{at ≥ an hour ago}` grouped by status.
outcomeSchema.index({ at: -1 });
// The outbox sweep: sparse, so on MongoDB it holds only outcomes whose event is not announced yet.
outcomeSchema.index({ 'outbox.at': 1 }, { sparse: true });

export type MessageOutcomeModel = Model<MessageOutcome>;

export function messageOutcomeModel(db: Connection): MessageOutcomeModel {
  return (db.models.MessageOutcome as MessageOutcomeModel | undefined) ?? db.model<MessageOutcome>('MessageOutcome', outcomeSchema);
}
