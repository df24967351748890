import { Schema, type Connection, type Model } from 'mongoose';
import type { FeedbackEvent } from './feedback-event.ts';

/**
 * One relay feedback event as received, in `feedback_events`, stored once: `_id` is
 * `<provider>:<provider event id>`, so a replayed event finds its first copy and changes nothing.
 * `appliedAt` is set once the event took effect (so a re-run job is a no-op).
 */
export interface FeedbackRecord extends Omit<FeedbackEvent, 'address'> {
  _id: string;
  /** The normalized recipient, or null when the report named none we could read — or named an erased one (`erasedKey`). */
  address: string | null;
  /** For an erased address without a state: its erasure record's key, in place of the address (erased-feedback.ts). */
  erasedKey?: string;
  receivedAt: Date;
  appliedAt?: Date;
  /**
   * Bounce or complaint mail that proved no message of ours (report-proof.ts): kept for the
   * operator to see, never applied, and holding no address.
   */
  unverified?: string;
}

const schema = new Schema<FeedbackRecord>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    address: { type: String, default: null },
    erasedKey: String,
    at: { type: Date, required: true },
    provider: { type: String, required: true },
    eventId: { type: String, required: true },
    statusCode: String,
    diagnostic: String,
    detail: String,
    subscriptionType: String,
    scope: String,
    message: { type: Schema.Types.Mixed, default: {} },
    receivedAt: { type: Date, required: true },
    appliedAt: Date,
    unverified: String,
    raw: String,
  },
  { collection: 'feedback_events', versionKey: false, minimize: false },
);
// Soft-bounce counting: `{address, type ∈ soft_bounce|delivered, at ≥ window start}`.
schema.index({ address: 1, at: -1 });
// Soft-bounce counting and the export of an erased address: `{erasedKey, at ≥ window start}`.
schema.index({ erasedKey: 1, at: -1 });
// Retention: `{receivedAt < cutoff}`.
schema.index({ receivedAt: 1 });
// The reconciler of lost jobs (feedback-reconciler.ts): `{appliedAt: null, receivedAt in window}`,
// sorted by receipt. Applied records sort apart, so a run reads only the few still unapplied.
schema.index({ appliedAt: 1, receivedAt: 1, _id: 1 });

export type FeedbackRecordModel = Model<FeedbackRecord>;

export function feedbackRecordModel(db: Connection): FeedbackRecordModel {
  return (db.models.FeedbackRecord as FeedbackRecordModel | undefined) ?? db.model<FeedbackRecord>('FeedbackRecord', schema);
}
