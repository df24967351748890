import { Schema, type Connection, type Model } from 'mongoose';
import { z } from 'zod';

/** Title and intro of a form, in every language the recipient pages speak. */
const localized = z.object({ en: z.string(), de: z.string() }).strict();

/**
 * A stored public re-subscribe form (`/subscribe/<_id>`), as it leaves the database: rows are
 * parsed with this schema on every read, so a hand-edited or half-migrated row fails loudly.
 */
export const subscriptionFormRowSchema = z
  .object({
    _id: z.string(),
    title: localized,
    intro: localized,
    types: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: z.date(),
    updatedAt: z.date(),
    createdBy: z.string(),
    updatedBy: z.string(),
  })
  .strict();

export type SubscriptionFormRow = z.infer<typeof subscriptionFormRowSchema>;

const localizedSchema = new Schema({ en: { type: String, default: '' }, de: { type: String, default: '' } }, { _id: false });

const schema = new Schema<SubscriptionFormRow>(
  {
    _id: { type: String, required: true },
    title: { type: localizedSchema, required: true },
    intro: { type: localizedSchema, required: true },
    types: { type: [String], required: true },
    enabled: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'subscription_forms', versionKey: false },
);
// No secondary index: a form is read by `_id` (the public page, the console's edit page) and the
// console lists the few forms there are, sorted by `_id`, which the default `_id` index serves.

export type SubscriptionFormModel = Model<SubscriptionFormRow>;

export const subscriptionFormModel = (db: Connection): SubscriptionFormModel =>
  (db.models.SubscriptionForm as SubscriptionFormModel | undefined) ?? db.model<SubscriptionFormRow>('SubscriptionForm', schema);
