import { z } from 'zod';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { batchInputSchema, idempotencyKeySchema, MAX_BATCH, messageInputSchema, batchResultSchema, enqueueResultSchema, messageViewSchema } from '../contract/index.ts';

// The route checks each item on its own (one bad item never sinks the others), so it parses only
// the envelope; the document shows what each item must be.
const batchBody = batchInputSchema.extend({ messages: z.array(messageInputSchema).min(1).max(MAX_BATCH) });

/** The messages routes (message-routes.ts) in the API reference. */
export const messageApiDoc: ApiDocSection = {
  tag: { name: 'Messages', description: 'Enqueue messages and follow where they stand (docs/rules.md §3)' },
  register(doc) {
    doc.route({
      method: 'post',
      path: '/v1/messages',
      summary: 'Enqueue one message',
      description: 'The same `idempotencyKey` (or `Idempotency-Key` header) answers the same id and sends once.',
      request: {
        headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional() }),
        body: { ...jsonContent(messageInputSchema, 'The message'), required: true },
      },
      responses: { 202: jsonContent(enqueueResultSchema, 'Accepted and stored: queued'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 422, 503) },
    });
    doc.route({
      method: 'post',
      path: '/v1/messages/batch',
      summary: `Enqueue up to ${MAX_BATCH} messages`,
      description: 'Answered per item, in order: an id, or the error for that item. Takes no `Idempotency-Key` header.',
      request: { body: { ...jsonContent(batchBody, 'The messages'), required: true } },
      responses: { 202: jsonContent(batchResultSchema, 'One result per message'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 503) },
    });
    doc.route({
      method: 'get',
      path: '/v1/messages/{id}',
      summary: 'Where a message stands',
      request: { params: z.object({ id: z.string().meta({ description: 'The id `POST /v1/messages` answered' }) }) },
      responses: { 200: jsonContent(messageViewSchema, 'The message'), ...errorResponses(...COMMON_ERRORS, 404, 503) },
    });
  },
};
