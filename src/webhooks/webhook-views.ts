import { z } from 'zod';
import { APP_EVENT_TYPES } from '../shared/app-events.ts';
import { DELIVERY_STATUSES } from './webhook-delivery.model.ts';

/** One endpoint as the API shows it (never with its secret, except in the answer that creates it). */
export const endpointViewSchema = z
  .object({
    id: z.string().meta({ example: 'whe_3q2Vx0cT9pLm1aZk' }),
    url: z.url(),
    events: z.array(z.enum(APP_EVENT_TYPES)),
    description: z.string().optional(),
    enabled: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type EndpointView = z.infer<typeof endpointViewSchema>;

export const createdEndpointSchema = endpointViewSchema
  .extend({ secret: z.string().meta({ description: 'The signing secret (`whsec_<base64>`), shown in this answer only', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) })
  .meta({ id: 'WebhookEndpointCreated' });

/** One delivery of one event to one endpoint. */
export const deliveryViewSchema = z
  .object({
    id: z.string(),
    eventId: z.string().meta({ description: 'The event id, also sent as `webhook-id`: the same event always has the same id' }),
    type: z.enum(APP_EVENT_TYPES),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastResponseCode: z.number().int().optional(),
    lastError: z.string().optional().meta({ description: 'e.g. `timeout`, `connection_refused`, `http_500`' }),
    nextAttemptAt: z.iso.datetime().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    deliveredAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const endpointListSchema = z.object({ webhooks: z.array(endpointViewSchema) }).meta({ id: 'WebhookEndpointList' });
export const deliveryPageSchema = z
  .object({ deliveries: z.array(deliveryViewSchema), nextCursor: z.string().optional().meta({ description: 'Pass as `cursor` for the next (older) page' }) })
  .meta({ id: 'WebhookDeliveryPage' });
