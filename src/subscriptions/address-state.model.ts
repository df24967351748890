import { Schema, type Connection, type Model } from 'mongoose';
import type { Suppression, TypeState } from './types.ts';

/** One document per normalized address: the current state, moved forward one version per consent event. */
export interface AddressStateDoc {
  /** The normalized address; unique, so one document per address. Every read and write goes by _id (see docs/ferretdb.md). */
  _id: string;
  /** Always equal to _id; a document where the two differ is corrupt, and getMany refuses it. */
  address: string;
  optedOutOfAll: boolean;
  subscriptions: Record<string, TypeState>;
  suppression?: Suppression | null;
  updatedAt: Date;
  /** Equals the `version` of the last consent event applied; writes compare-and-set on it. */
  version: number;
  /** _id of the consent event that produced this version. */
  lastEventId: string;
  /**
   * True on the document of an erased address that changed again (an unsubscribe, a bounce): an
   * erased address has no document otherwise, and a document without this field is not erased.
   */
  erased?: boolean;
}

const suppressionSchema = new Schema<Suppression>(
  { kind: { type: String, required: true }, at: { type: Date, required: true }, source: { type: String, required: true }, detail: String },
  { _id: false },
);

const schema = new Schema<AddressStateDoc>(
  {
    _id: { type: String, required: true },
    address: { type: String, required: true },
    optedOutOfAll: { type: Boolean, required: true, default: false },
    subscriptions: { type: Schema.Types.Mixed, required: true, default: {} },
    suppression: { type: suppressionSchema, default: null },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    lastEventId: { type: String, required: true },
    erased: { type: Boolean, default: undefined },
  },
  { collection: 'address_states', versionKey: false, minimize: false },
);
// The built-in _id index serves get `{_id}`, getMany `{_id: {$in}}`, the CAS `{_id, version}` and the export's sort.
// The suppression list, newest first: `{suppression.kind?, suppression.at < cursor}` sorted by `suppression.at` desc.
schema.index({ 'suppression.at': -1, _id: -1 });

export type AddressStateModel = Model<AddressStateDoc>;

export function addressStateModel(db: Connection): AddressStateModel {
  return (db.models.AddressState as AddressStateModel | undefined) ?? db.model<AddressStateDoc>('AddressState', schema);
}
