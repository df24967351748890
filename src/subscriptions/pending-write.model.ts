import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A write journal: one entry per change (or per bulk batch) in flight, inserted before its consent
 * events and deleted once the state has moved. An entry left behind names events a crash may have
 * left without their state write; repair rolls them forward. The collection only ever holds the
 * writes in flight, so it stays tiny and the delete that ends each write stays cheap (see
 * docs/ferretdb.md).
 */
export interface PendingWriteDoc {
  _id: string;
  /** eventId(address, version) of each event of this write: a string, not an [address, version] pair (see docs/ferretdb.md). */
  events: string[];
  at: Date;
}

const schema = new Schema<PendingWriteDoc>(
  { _id: { type: String, required: true }, events: { type: [String], required: true }, at: { type: Date, required: true } },
  { collection: 'consent_pending', versionKey: false },
);
// Repair lists entries older than a minute (`{at: {$lt}}`).
schema.index({ at: 1 });

export type PendingWriteModel = Model<PendingWriteDoc>;

export function pendingWriteModel(db: Connection): PendingWriteModel {
  return (db.models.PendingWrite as PendingWriteModel | undefined) ?? db.model<PendingWriteDoc>('PendingWrite', schema);
}
