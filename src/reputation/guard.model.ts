import { Schema, type Connection, type Model } from 'mongoose';
import type { OutboxMark } from '../shared/app-events.ts';
import type { ProviderGroup, ReputationCounts, ReputationWindow } from '../shared/deliverability.ts';

/** A stream's guard state (`stream_guards`, `_id` = stream name): a tiny collection every send process reads each second. */
export interface StreamGuardDoc {
  _id: string;
  state: 'ok' | 'warn' | 'paused';
  pausedAt?: Date;
  pausedBy?: 'guard' | 'operator';
  reason?: string;
  /** The last operator resume: the guard judges only hours that began after it (stream-guard.ts). */
  resumedAt?: Date;
  updatedAt: Date;
}

export interface GuardFigures {
  window: ReputationWindow;
  counts: ReputationCounts;
  complaintRate: number;
  hardBounceRate: number;
  /** The templates and subscription types that drew the complaints (pauses and warnings by the guard). */
  topTemplates: { template: string; subscriptionType?: string; sends: number; complaints: number }[];
  /** Complaints and hard bounces by recipient provider group in the window. */
  byProvider?: Partial<Record<ProviderGroup, ReputationCounts>>;
}

/** One audited step of a stream's guard (`stream_guard_events`, append-only): warned, paused or resumed. */
export interface GuardEventDoc {
  _id: string;
  at: Date;
  stream: string;
  action: 'warned' | 'paused' | 'resumed';
  /** `guard` for the guard itself; the operator's account or API key actor otherwise. */
  actor: string;
  explanation?: string;
  figures?: GuardFigures;
  /** A pause's or resume's webhook event until its deliveries are stored (docs/architecture.md "Outbox"). */
  outbox?: OutboxMark;
}

const countsSchema = { sends: Number, hardBounces: Number, softBounces: Number, complaints: Number };

const guardSchema = new Schema<StreamGuardDoc>(
  {
    _id: { type: String, required: true },
    state: { type: String, required: true, enum: ['ok', 'warn', 'paused'] },
    pausedAt: Date,
    pausedBy: { type: String, enum: ['guard', 'operator'] },
    reason: String,
    resumedAt: Date,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'stream_guards', versionKey: false },
);

const eventSchema = new Schema<GuardEventDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    stream: { type: String, required: true },
    action: { type: String, required: true, enum: ['warned', 'paused', 'resumed'] },
    actor: { type: String, required: true },
    explanation: String,
    figures: {
      type: new Schema(
        {
          window: String,
          counts: countsSchema,
          complaintRate: Number,
          hardBounceRate: Number,
          topTemplates: [{ _id: false, template: String, subscriptionType: String, sends: Number, complaints: Number }],
          byProvider: Schema.Types.Mixed,
        },
        { _id: false },
      ),
      required: false,
    },
    outbox: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'stream_guard_events', versionKey: false },
);
// The history of a stream, newest first (GuardRepository.history): `{stream}` sorted by `at` descending.
eventSchema.index({ stream: 1, at: -1 });
// The outbox sweep: sparse, so on MongoDB it holds only pauses and resumes not announced yet.
eventSchema.index({ 'outbox.at': 1 }, { sparse: true });

export const streamGuardModel = (db: Connection): Model<StreamGuardDoc> => (db.models.StreamGuard as Model<StreamGuardDoc> | undefined) ?? db.model<StreamGuardDoc>('StreamGuard', guardSchema);
export const guardEventModel = (db: Connection): Model<GuardEventDoc> => (db.models.StreamGuardEvent as Model<GuardEventDoc> | undefined) ?? db.model<GuardEventDoc>('StreamGuardEvent', eventSchema);
