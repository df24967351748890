import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import { APP_EVENT_TYPES, type OutboxCollection, type OutboxRef, type StoredAppEvent } from '../shared/app-events.ts';
import { duplicateIndexesOrThrow } from '../shared/mongo-errors.ts';
import { DELIVERY_STATUSES, webhookDeliveryModel, type WebhookDeliveryDoc, type WebhookDeliveryModel } from './webhook-delivery.model.ts';
import { webhookEndpointModel, type WebhookEndpointDoc, type WebhookEndpointModel } from './webhook-endpoint.model.ts';
import { decodeCursor, encodeCursor } from '../shared/keyset-cursor.ts';

// Rows are parsed where they leave the database (STYLE.md).
const endpointRow = z.object({
  _id: z.string(),
  url: z.string(),
  events: z.array(z.enum(APP_EVENT_TYPES)),
  description: z.string().optional(),
  secret: z.string(),
  enabled: z.boolean(),
  createdAt: z.date(),
});
const deliveryRow = z.object({
  _id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  type: z.enum(APP_EVENT_TYPES),
  address: z.string(),
  seq: z.number(),
  body: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  lastResponseCode: z.number().optional(),
  lastError: z.string().optional(),
  nextAttemptAt: z.date().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
  deliveredAt: z.date().optional(),
});

// An outbox mark as the sweep reads it back (app-events.ts OutboxMark).
const markedRow = z.object({
  _id: z.string(),
  outbox: z.object({
    at: z.date(),
    events: z.array(z.object({ id: z.string(), type: z.enum(APP_EVENT_TYPES), address: z.string(), at: z.date(), data: z.record(z.string(), z.unknown()) })),
  }),
});

/** A document whose events are not announced yet, as the outbox sweep finds it. */
export interface Unannounced {
  ref: OutboxRef;
  events: StoredAppEvent[];
}

/** What one attempt left behind, for a delivery that is not delivered. */
export interface FailedAttempt {
  attempts: number;
  responseCode?: number;
  error: string;
  /** When to try again; absent: that was the last attempt, the delivery is `failed`. */
  nextAttemptAt?: Date;
}

/** Endpoints and deliveries (`webhook_endpoints`, `webhook_deliveries`): the one way the webhooks domain touches them. */
export class WebhookRepository {
  private readonly endpoints: WebhookEndpointModel;
  private readonly deliveries: WebhookDeliveryModel;
  private readonly endpointCol: mongo.Collection<WebhookEndpointDoc>;
  private readonly deliveryCol: mongo.Collection<WebhookDeliveryDoc>;

  private readonly db: Connection;

  constructor(deps: { db: Connection }) {
    this.db = deps.db;
    this.endpoints = webhookEndpointModel(deps.db);
    this.deliveries = webhookDeliveryModel(deps.db);
    // The driver's collections, typed with our string ids (mongoose types them as ObjectId).
    this.endpointCol = this.endpoints.collection as unknown as mongo.Collection<WebhookEndpointDoc>;
    this.deliveryCol = this.deliveries.collection as unknown as mongo.Collection<WebhookDeliveryDoc>;
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([this.endpoints.createIndexes(), this.deliveries.createIndexes()]);
  }

  async createEndpoint(doc: WebhookEndpointDoc): Promise<void> {
    await this.endpointCol.insertOne(doc);
  }

  async listEndpoints(): Promise<WebhookEndpointDoc[]> {
    const rows = await this.endpoints.find({}).sort({ createdAt: 1, _id: 1 }).lean();
    return rows.map((row) => endpointRow.parse(row));
  }

  async enabledEndpoints(): Promise<WebhookEndpointDoc[]> {
    return (await this.listEndpoints()).filter((e) => e.enabled);
  }

  async findEndpoint(id: string): Promise<WebhookEndpointDoc | null> {
    const row = await this.endpoints.findOne({ _id: id }).lean();
    return row ? endpointRow.parse(row) : null;
  }

  /** Deletes the endpoint and its deliveries (their jobs then find nothing to send). False if there was none. */
  async deleteEndpoint(id: string): Promise<boolean> {
    const { deletedCount } = await this.endpoints.deleteOne({ _id: id });
    await this.deliveries.deleteMany({ endpointId: id });
    return deletedCount > 0;
  }

  /** Inserts each delivery once; returns those that are new (a repeated emit finds its first copy). */
  async insertDeliveries(docs: WebhookDeliveryDoc[]): Promise<WebhookDeliveryDoc[]> {
    if (docs.length === 0) return [];
    try {
      await this.deliveryCol.insertMany(docs, { ordered: false });
      return docs;
    } catch (err) {
      const duplicates = duplicateIndexesOrThrow(err);
      return docs.filter((_, i) => !duplicates.has(i));
    }
  }

  async findDelivery(id: string): Promise<WebhookDeliveryDoc | null> {
    const row = await this.deliveries.findOne({ _id: id }).lean();
    return row ? deliveryRow.parse(row) : null;
  }

  async markDelivered(id: string, attempts: number, responseCode: number): Promise<void> {
    const now = new Date();
    await this.deliveries.updateOne(
      { _id: id },
      { $set: { status: 'delivered', attempts, lastResponseCode: responseCode, deliveredAt: now, updatedAt: now }, $unset: { nextAttemptAt: 1, lastError: 1 } },
    );
  }

  async recordFailure(id: string, attempt: FailedAttempt): Promise<void> {
    const set: Record<string, unknown> = { attempts: attempt.attempts, lastError: attempt.error.slice(0, 500), updatedAt: new Date() };
    const unset: Record<string, 1> = {};
    if (attempt.responseCode === undefined) unset.lastResponseCode = 1;
    else set.lastResponseCode = attempt.responseCode;
    if (attempt.nextAttemptAt) Object.assign(set, { status: 'pending', nextAttemptAt: attempt.nextAttemptAt });
    else {
      set.status = 'failed';
      unset.nextAttemptAt = 1;
    }
    await this.deliveries.updateOne({ _id: id }, Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set });
  }

  /** A final delivery back to `pending` with a fresh schedule, for a re-send; null if it is gone. */
  async resetForRetry(id: string): Promise<WebhookDeliveryDoc | null> {
    const now = new Date();
    const row = await this.deliveries
      .findOneAndUpdate({ _id: id }, { $set: { status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now } }, { returnDocument: 'after' })
      .lean();
    return row ? deliveryRow.parse(row) : null;
  }

  /** One endpoint's deliveries, newest first, keyset-paginated on (createdAt, _id). */
  async pageDeliveries(endpointId: string, query: { cursor?: string; limit: number }): Promise<{ deliveries: WebhookDeliveryDoc[]; nextCursor?: string }> {
    const and: Record<string, unknown>[] = [{ endpointId }];
    if (query.cursor) {
      const { at, id } = decodeCursor(query.cursor);
      and.push({ $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: id } }] });
    }
    const rows = await this.deliveries.find({ $and: and }).sort({ createdAt: -1, _id: -1 }).limit(query.limit + 1).lean();
    const deliveries = rows.slice(0, query.limit).map((row) => deliveryRow.parse(row));
    const last = deliveries.at(-1);
    return rows.length > query.limit && last ? { deliveries, nextCursor: encodeCursor(last.createdAt, last._id) } : { deliveries };
  }

  /** Pending deliveries due before `before` (their job may be lost): oldest first. */
  async findOverdue(before: Date, limit: number): Promise<WebhookDeliveryDoc[]> {
    const rows = await this.deliveries.find({ status: 'pending', nextAttemptAt: { $lt: before } }).sort({ nextAttemptAt: 1 }).limit(limit).lean();
    return rows.map((row) => deliveryRow.parse(row));
  }

  /** Retention: delivered and failed deliveries last changed before `cutoff`. Returns how many. */
  async deleteFinishedBefore(cutoff: Date): Promise<number> {
    const { deletedCount } = await this.deliveries.deleteMany({ status: { $in: ['delivered', 'failed'] }, updatedAt: { $lt: cutoff } });
    return deletedCount;
  }

  /** Access export (docs/rules.md §10): the newest deliveries about this address (the `{address: 1}` index). */
  async deliveriesFor(address: string, limit: number): Promise<WebhookDeliveryDoc[]> {
    const rows = await this.deliveries.find({ address }).sort({ createdAt: -1 }).limit(limit).lean();
    return rows.map((row) => deliveryRow.parse(row));
  }

  /** Erasure (docs/rules.md §10): every delivery about this address, whatever its state. Returns how many. */
  async deleteForAddress(address: string): Promise<number> {
    const { deletedCount } = await this.deliveries.deleteMany({ address });
    return deletedCount;
  }

  /**
   * Clears the outbox marks of documents whose events are stored as deliveries: one bulkWrite per
   * collection of updateOne by exact `_id` (FerretDB pushes down only that filter; `$in` would scan).
   */
  async clearOutbox(marks: readonly OutboxRef[]): Promise<void> {
    const byCollection = new Map<OutboxCollection, string[]>();
    for (const { collection, id } of marks) byCollection.set(collection, [...(byCollection.get(collection) ?? []), id]);
    await Promise.all(
      [...byCollection].map(([collection, ids]) =>
        this.db.collection<{ _id: string }>(collection).bulkWrite(
          ids.map((id) => ({ updateOne: { filter: { _id: id }, update: { $unset: { outbox: 1 } } } })),
          { ordered: false },
        ),
      ),
    );
  }

  /**
   * Documents of `collection` marked before `before`, oldest first. On MongoDB the sparse
   * `{outbox.at: 1}` index holds only marked documents, so this reads just those; FerretDB does not
   * push the filter down and scans the collection (docs/architecture.md "Outbox").
   */
  async findUnannounced(collection: OutboxCollection, before: Date, limit: number): Promise<Unannounced[]> {
    const rows = await this.db
      .collection<{ _id: string }>(collection)
      .find({ 'outbox.at': { $lt: before } }, { projection: { outbox: 1 } })
      .sort({ 'outbox.at': 1 })
      .limit(limit)
      .toArray();
    return rows.map((row) => {
      const { _id, outbox } = markedRow.parse(row);
      return { ref: { collection, id: _id }, events: outbox.events };
    });
  }
}
