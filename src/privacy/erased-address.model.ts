import { Schema, type Connection, type Model } from 'mongoose';

/**
 * What stays of an erased address (PRODUCT.md §10): the proof that it asked to be forgotten, so
 * that it is never mailed marketing again by mistake (a re-import, an operator) — and nothing that
 * names it. `_id` is HMAC-SHA256(MAILGATE_SECRET, address) in hex, never the address or a plain
 * hash of it (a plain hash of an address is found again by hashing a list of addresses).
 */
export interface ErasedAddressDoc {
  _id: string;
  erasedAt: Date;
}

const schema = new Schema<ErasedAddressDoc>(
  { _id: { type: String, required: true }, erasedAt: { type: Date, required: true } },
  { collection: 'erased_addresses', versionKey: false },
);
// Only the built-in _id index: every read is by key (one or a batch's `$in`).

export type ErasedAddressModel = Model<ErasedAddressDoc>;

export function erasedAddressModel(db: Connection): ErasedAddressModel {
  return (db.models.ErasedAddress as ErasedAddressModel | undefined) ?? db.model<ErasedAddressDoc>('ErasedAddress', schema);
}
