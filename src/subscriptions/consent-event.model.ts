import { Schema, type Connection, type Model } from 'mongoose';
import type { OutboxMark } from '../shared/app-events.ts';
import type { ChangeContext } from './types.ts';
import type { StateDiff } from './state-change.ts';

/**
 * An immutable consent event (docs/rules.md §1 "Every change is an event"). It is written before the
 * state it produces; then the state moves to `version` by compare-and-set. The _id is made of
 * (address, version), so version N of an address comes from exactly one event, and an event is in
 * effect exactly when the state's version has reached it. Events are never updated, but for the
 * removal of their outbox mark.
 */
export interface ConsentEventDoc extends ChangeContext {
  /** eventId(address, version): unique, so two writers cannot both claim the next version. */
  _id: string;
  address: string;
  /** The state version this event produces (previous version + 1). */
  version: number;
  before: StateDiff;
  after: StateDiff;
  at: Date;
  importJobId?: string;
  /** The address was erased when this change was made, and stays erased (erasure-rule.ts). */
  erased?: true;
  /** This change was the person's own re-subscribe of an erased address: it lifted the erasure. */
  freshStart?: true;
  /**
   * Its `subscription.changed`, until the deliveries are stored (docs/architecture.md "Outbox"):
   * written with the event when an endpoint wants it; removing it is the one update an event gets.
   */
  outbox?: OutboxMark;
}

const schema = new Schema<ConsentEventDoc>(
  {
    _id: { type: String, required: true },
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
    feedback: { type: Schema.Types.Mixed, default: undefined },
    erased: { type: Boolean, default: undefined },
    freshStart: { type: Boolean, default: undefined },
    outbox: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'consent_events', versionKey: false, minimize: false },
);
// History of one address, oldest first (`{address}` sorted by version).
schema.index({ address: 1, version: 1 });
// The outbox sweep: sparse, so on MongoDB it holds only events whose webhook is not announced yet.
schema.index({ 'outbox.at': 1 }, { sparse: true });

/** An address never contains '#' after its '@', so the last '#' separates the two unambiguously. */
export const eventId = (address: string, version: number): string => `${address}#${version}`;

/** The consent event a state of this version rests on: the one that produced it; none for version 0 (never changed). */
export const consentEventOf = (address: string, version: number): string | null => (version > 0 ? eventId(address, version) : null);

export function parseEventId(id: string): { address: string; version: number } | undefined {
  const hash = id.lastIndexOf('#');
  const version = Number(id.slice(hash + 1));
  return hash > 0 && Number.isInteger(version) && version > 0 ? { address: id.slice(0, hash), version } : undefined;
}

export type ConsentEventModel = Model<ConsentEventDoc>;

export function consentEventModel(db: Connection): ConsentEventModel {
  return (db.models.ConsentEvent as ConsentEventModel | undefined) ?? db.model<ConsentEventDoc>('ConsentEvent', schema);
}
