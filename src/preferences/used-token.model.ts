import { Schema, type Connection, type Model } from 'mongoose';

/** A confirmation nonce that has been spent: links in re-subscribe emails work once. */
export interface UsedToken {
  nonce: string;
  usedAt: Date;
}

const schema = new Schema<UsedToken>(
  {
    nonce: { type: String, required: true },
    usedAt: { type: Date, required: true },
  },
  { collection: 'used_tokens', versionKey: false },
);
// Serves the single-use check: confirming inserts the nonce first; a duplicate key means a replay.
schema.index({ nonce: 1 }, { unique: true });
// Serves the purge of nonces whose tokens have expired anyway (no TTL index: see docs/ferretdb.md).
schema.index({ usedAt: 1 });

export type UsedTokenModel = Model<UsedToken>;

export const usedTokenModel = (db: Connection): UsedTokenModel =>
  (db.models.UsedToken as UsedTokenModel | undefined) ?? db.model<UsedToken>('UsedToken', schema);
