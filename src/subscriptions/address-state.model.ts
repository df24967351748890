import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Suppression, TypeState } from './types.ts';

/** One document per normalized address: the current state, moved forward one version per consent event. */
export interface AddressStateDoc {
  address: string;
  optedOutOfAll: boolean;
  subscriptions: Record<string, TypeState>;
  suppression?: Suppression | null;
  updatedAt: Date;
  /** Equals the `version` of the last consent event applied; writes compare-and-set on it. */
  version: number;
  lastEventId: Types.ObjectId;
}

const suppressionSchema = new Schema<Suppression>(
  { kind: { type: String, required: true }, at: { type: Date, required: true }, source: { type: String, required: true }, detail: String },
  { _id: false },
);

const schema = new Schema<AddressStateDoc>(
  {
    address: { type: String, required: true },
    optedOutOfAll: { type: Boolean, required: true, default: false },
    subscriptions: { type: Schema.Types.Mixed, required: true, default: {} },
    suppression: { type: suppressionSchema, default: null },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    lastEventId: { type: Schema.Types.ObjectId, required: true },
  },
  { collection: 'address_states', versionKey: false, minimize: false },
);
// get/getMany/CAS updates by address (`{address}`, `{address: {$in}}`, `{address, version}`); one document per address.
schema.index({ address: 1 }, { unique: true });

export type AddressStateModel = Model<AddressStateDoc>;

export function addressStateModel(db: Connection): AddressStateModel {
  return (db.models.AddressState as AddressStateModel | undefined) ?? db.model<AddressStateDoc>('AddressState', schema);
}
