import { z } from 'zod';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { createWebhookBody, deliveriesQuery } from './webhook-routes.ts';
import { createdEndpointSchema, deliveryPageSchema, deliveryViewSchema, endpointListSchema, endpointViewSchema } from './webhook-views.ts';

const id = z.object({ id: z.string().meta({ description: 'The endpoint id (`whe_…`)' }) });

/** The webhook routes (webhook-routes.ts) in the API reference. */
export const webhookApiDoc: ApiDocSection = {
  tag: { name: 'Webhooks', description: 'Signed events to the application (docs/rules.md §9; Standard Webhooks format)' },
  register(doc) {
    doc.route({
      method: 'post',
      path: '/v1/webhooks',
      summary: 'Add an endpoint; the answer carries its signing secret, once',
      request: { body: jsonContent(createWebhookBody, 'The URL (https in production; no private targets unless WEBHOOK_ALLOW_PRIVATE) and the event types') },
      responses: { 201: jsonContent(createdEndpointSchema, 'The endpoint with its secret'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 422, 503) },
    });
    doc.route({
      method: 'get',
      path: '/v1/webhooks',
      summary: 'The endpoints',
      responses: { 200: jsonContent(endpointListSchema, 'Every endpoint, without secrets'), ...errorResponses(...COMMON_ERRORS, 503) },
    });
    doc.route({
      method: 'get',
      path: '/v1/webhooks/{id}',
      summary: 'One endpoint',
      request: { params: id },
      responses: { 200: jsonContent(endpointViewSchema, 'The endpoint, without its secret'), ...errorResponses(...COMMON_ERRORS, 404, 503) },
    });
    doc.route({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      summary: 'Delete an endpoint: it gets nothing more, and its deliveries go',
      request: { params: id },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(...COMMON_ERRORS, 404, 503) },
    });
    doc.route({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      summary: 'Deliveries to an endpoint, newest first',
      request: { params: id, query: deliveriesQuery },
      responses: { 200: jsonContent(deliveryPageSchema, 'A page of deliveries'), ...errorResponses(...COMMON_ERRORS, 400, 404, 503) },
    });
    doc.route({
      method: 'post',
      path: '/v1/webhooks/{id}/deliveries/{deliveryId}/retry',
      summary: 'Send a finished delivery again (send a JSON body, e.g. `{}`)',
      request: { params: id.extend({ deliveryId: z.string() }) },
      responses: { 202: jsonContent(deliveryViewSchema, 'The delivery, pending again'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 409, 503) },
    });
  },
};
