import { Schema, type Connection, type Model } from 'mongoose';
import type { AppEventType } from '../shared/app-events.ts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint, in `webhook_deliveries`. `_id` is derived from (endpoint, event), so
 * emitting the same event again inserts nothing. The body is kept as sent (its bytes are signed).
 */
export interface WebhookDeliveryDoc {
  _id: string;
  endpointId: string;
  eventId: string;
  type: AppEventType;
  /** The normalized address the event is about: deliveries keep their order per address, and erasure finds them by it. */
  address: string;
  /** Position in the address's lane: earlier events of the address have smaller numbers. */
  seq: number;
  /** The JSON body `{type, timestamp, data}`. */
  body: string;
  status: DeliveryStatus;
  /** Attempts made so far (0 until the first POST is answered or fails). */
  attempts: number;
  lastResponseCode?: number;
  lastError?: string;
  /** When the next attempt is due (pending only). */
  nextAttemptAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt?: Date;
}

const schema = new Schema<WebhookDeliveryDoc>(
  {
    _id: { type: String, required: true },
    endpointId: { type: String, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    address: { type: String, required: true },
    seq: { type: Number, required: true },
    body: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, required: true },
    lastResponseCode: Number,
    lastError: String,
    nextAttemptAt: Date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deliveredAt: Date,
  },
  { collection: 'webhook_deliveries', versionKey: false },
);
// GET /v1/webhooks/:id/deliveries: `{endpointId}` newest first, keyset on (createdAt, _id); also DELETE of an endpoint.
schema.index({ endpointId: 1, createdAt: -1, _id: -1 });
// Erasure: `deleteForAddress` → `{address}`.
schema.index({ address: 1 });
// The sweep of deliveries whose job was lost: `{status: 'pending', nextAttemptAt < now - grace}`.
schema.index({ status: 1, nextAttemptAt: 1 });
// Retention: `{status ∈ delivered|failed, updatedAt < cutoff}`.
schema.index({ updatedAt: 1 });

export type WebhookDeliveryModel = Model<WebhookDeliveryDoc>;

export function webhookDeliveryModel(db: Connection): WebhookDeliveryModel {
  return (db.models.WebhookDelivery as WebhookDeliveryModel | undefined) ?? db.model<WebhookDeliveryDoc>('WebhookDelivery', schema);
}
