import type { Connection } from 'mongoose';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import { subscriptionFormModel, subscriptionFormRowSchema, type SubscriptionFormModel, type SubscriptionFormRow } from './subscription-form.model.ts';

/** The `subscription_forms` collection; every row is parsed with zod as it leaves the database. */
export class SubscriptionFormRepository {
  readonly model: SubscriptionFormModel;

  constructor(deps: { db: Connection }) {
    this.model = subscriptionFormModel(deps.db);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createCollection().catch(() => undefined); // exists already: fine
    await this.model.createIndexes();
  }

  async list(): Promise<SubscriptionFormRow[]> {
    const rows = await this.model.find({}).sort({ _id: 1 }).lean();
    return rows.map((row) => subscriptionFormRowSchema.parse(row));
  }

  async find(id: string): Promise<SubscriptionFormRow | undefined> {
    const row = await this.model.findById(id).lean();
    return row ? subscriptionFormRowSchema.parse(row) : undefined;
  }

  /** False when a form with this id exists already (the unique `_id`). */
  async insert(row: SubscriptionFormRow): Promise<boolean> {
    try {
      await this.model.create(row);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** The row after the change, or undefined when there is no such form. */
  async update(id: string, set: Partial<Omit<SubscriptionFormRow, '_id' | 'createdAt' | 'createdBy'>>): Promise<SubscriptionFormRow | undefined> {
    const row = await this.model.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean();
    return row ? subscriptionFormRowSchema.parse(row) : undefined;
  }
}
