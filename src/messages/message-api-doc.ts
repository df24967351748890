import { z } from 'zod';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { apiErrorSchema, batchInputSchema, idempotencyKeySchema, MAX_BATCH, messageInputSchema, batchResultSchema, enqueueResultSchema, messageViewSchema } from '../contract/index.ts';

// The route checks each item on its own (one bad item never sinks the others), so it parses only
// the envelope; the document shows what each item must be.
const batchBody = batchInputSchema.extend({ messages: z.array(messageInputSchema).min(1).max(MAX_BATCH) });

/** 422 `template_data_invalid` (check-message.ts): the one refusal whose `details` callers act on field by field. */
const templateDataInvalidSchema = z
  .object({
    error: z.object({
      code: z.literal('template_data_invalid'),
      message: z.string().meta({ example: 'Template "newsletter" (en) needs data fields "headline", "issue"' }),
      details: z.object({
        missing: z.array(z.string()).min(1).meta({ description: 'The data paths the template prints outside any block that the data lacks or leaves null or "" (nested paths in full, e.g. `author.name`)' }),
      }),
    }),
  })
  .meta({ id: 'TemplateDataInvalid' });

const UNPROCESSABLE =
  'Well-formed but not allowed: `unknown_template`, `template_kind_mismatch`, `subscription_type_required`, `unknown_subscription_type`, `subscription_type_mismatch`, `subscription_type_not_allowed`, or `template_data_invalid` when the data does not fill the template (`details.missing`); nothing is stored';

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
      responses: {
        202: jsonContent(enqueueResultSchema, 'Accepted and stored: queued'),
        ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 503),
        422: jsonContent(z.union([templateDataInvalidSchema, apiErrorSchema]), UNPROCESSABLE),
      },
    });
    doc.route({
      method: 'post',
      path: '/v1/messages/batch',
      summary: `Enqueue up to ${MAX_BATCH} messages`,
      description:
        'Answered per item, in order: an id, or the error for that item (the codes `POST /v1/messages` answers, e.g. `template_data_invalid` with `details.missing`); a refused item is not stored and does not affect the others. Takes no `Idempotency-Key` header.',
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
