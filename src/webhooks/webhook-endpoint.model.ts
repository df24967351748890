import { Schema, type Connection, type Model } from 'mongoose';
import type { AppEventType } from '../shared/app-events.ts';

/** An application's webhook endpoint, in `webhook_endpoints`. */
export interface WebhookEndpointDoc {
  _id: string;
  url: string;
  events: AppEventType[];
  description?: string;
  /** `whsec_<base64>`: signs every delivery; shown to the caller once, at creation. */
  secret: string;
  enabled: boolean;
  createdAt: Date;
}

const schema = new Schema<WebhookEndpointDoc>(
  {
    _id: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: String,
    secret: { type: String, required: true },
    enabled: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'webhook_endpoints', versionKey: false },
);
// No secondary index: the collection is a handful of rows, read whole (the sink's cache, the list) or by `_id`.

export type WebhookEndpointModel = Model<WebhookEndpointDoc>;

export function webhookEndpointModel(db: Connection): WebhookEndpointModel {
  return (db.models.WebhookEndpoint as WebhookEndpointModel | undefined) ?? db.model<WebhookEndpointDoc>('WebhookEndpoint', schema);
}
