import { Schema, type Connection, type Model } from 'mongoose';
import { z } from 'zod';
import { SUPPRESSION_KINDS, type ErasureSuppression } from '../subscriptions/index.ts';

/** The marker of a record keyed with MAILGATE_ERASURE_KEY; a record without it is keyed the old way (a MAILGATE_SECRET). */
export const KEYED_WITH_ERASURE_KEY = 'erasure_key';

/**
 * What stays of an erased address (docs/rules.md §10): the proof that it asked to be forgotten, so
 * that it is never mailed marketing again by mistake (a re-import, an operator) — and nothing that
 * names it. `_id` is a MAC of the address (erasure-keys.ts), never the address or a plain hash of it
 * (a plain hash of an address is found again by hashing a list of addresses). `suppression` is a
 * bounce or complaint heard after the erasure (subscriptions/erasure-restrictions.ts).
 */
export interface ErasedAddressDoc {
  _id: string;
  erasedAt: Date;
  /** Set on every record keyed with the erasure key; absent on records keyed with a MAILGATE_SECRET (counted at start-up). */
  keyed?: typeof KEYED_WITH_ERASURE_KEY;
  suppression?: ErasureSuppression;
}

/** Rows are parsed where they leave the database: a corrupt record fails the read (fail closed) instead of reading as "not erased". */
export const erasedAddressDocSchema = z.object({
  _id: z.string(),
  erasedAt: z.date(),
  keyed: z.literal(KEYED_WITH_ERASURE_KEY).optional(),
  suppression: z
    .object({
      kind: z.enum(SUPPRESSION_KINDS),
      at: z.date(),
      source: z.enum(['bounce', 'complaint']),
      provider: z.string().optional(),
      eventId: z.string().optional(),
      statusCode: z.string().optional(),
    })
    .optional(),
});

const schema = new Schema<ErasedAddressDoc>(
  {
    _id: { type: String, required: true },
    erasedAt: { type: Date, required: true },
    keyed: String,
    suppression: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'erased_addresses', versionKey: false },
);
// Only the built-in _id index: every read is by key (one or a batch's `$in`); the start-up count of
// records keyed the old way scans this small collection once.

export type ErasedAddressModel = Model<ErasedAddressDoc>;

export function erasedAddressModel(db: Connection): ErasedAddressModel {
  return (db.models.ErasedAddress as ErasedAddressModel | undefined) ?? db.model<ErasedAddressDoc>('ErasedAddress', schema);
}
