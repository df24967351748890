import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ConsentSource, LegalBasis } from './types.ts';
import type { StateDiff } from './state-change.ts';

/**
 * An immutable consent event (PRODUCT.md §1 "Every change is an event"). It is written before the
 * state it produces (status `pending`), then the state moves to `version` by compare-and-set, then
 * the event is marked `applied`. `(address, version)` is unique, so version N of an address comes
 * from exactly one event: an event is in effect exactly when the state's version has reached it.
 */
export interface ConsentEventDoc {
  _id: Types.ObjectId;
  address: string;
  /** The state version this event produces (previous version + 1). */
  version: number;
  before: StateDiff;
  after: StateDiff;
  source: ConsentSource;
  at: Date;
  actor?: string;
  ip?: string;
  userAgent?: string;
  messageId?: string;
  legalBasis?: LegalBasis;
  legalBasisExplanation?: string;
  importJobId?: string;
  status: 'pending' | 'applied';
}

const schema = new Schema<ConsentEventDoc>(
  {
    address: { type: String, required: true },
    version: { type: Number, required: true },
    before: { type: Schema.Types.Mixed, required: true },
    after: { type: Schema.Types.Mixed, required: true },
    source: { type: String, required: true },
    at: { type: Date, required: true },
    actor: String,
    ip: String,
    userAgent: String,
    messageId: String,
    legalBasis: String,
    legalBasisExplanation: String,
    importJobId: String,
    status: { type: String, required: true },
  },
  { collection: 'consent_events', versionKey: false, minimize: false },
);
// History of one address, oldest first (`{address}` sorted by version); unique: one event per version (the CAS guard).
schema.index({ address: 1, version: 1 }, { unique: true });
// Repair of events left pending by a crash (`{status: 'pending', at: {$lt}}`).
schema.index({ status: 1, at: 1 });

export type ConsentEventModel = Model<ConsentEventDoc>;

export function consentEventModel(db: Connection): ConsentEventModel {
  return (db.models.ConsentEvent as ConsentEventModel | undefined) ?? db.model<ConsentEventDoc>('ConsentEvent', schema);
}
