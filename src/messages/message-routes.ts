import { Router } from 'express';
import { badRequest } from '../shared/errors.ts';
import { batchInputSchema, MAX_BATCH } from '../contract/index.ts';
import type { MessageEnqueuer } from './enqueue-messages.ts';
import type { MessageRepository } from './message-repository.ts';
import { getMessageStatus } from './message-status.ts';

/** Thin HTTP layer over the enqueue and status use cases (mounted under /v1 behind the API key). */
export function messageRoutes(deps: { enqueuer: MessageEnqueuer; messages: MessageRepository }): Router {
  const router = Router();

  router.post('/messages', async (req, res) => {
    const headerKey = req.get('idempotency-key');
    const result = await deps.enqueuer.enqueue(req.body, headerKey === undefined ? {} : { idempotencyKey: headerKey });
    res.status(202).json(result);
  });

  router.post('/messages/batch', async (req, res) => {
    if (req.get('idempotency-key') !== undefined) {
      throw badRequest('idempotency_header_not_supported', 'A batch takes an idempotencyKey per message, not an Idempotency-Key header');
    }
    const parsed = batchInputSchema.safeParse(req.body);
    if (!parsed.success) {
      const tooMany = Array.isArray((req.body as { messages?: unknown } | undefined)?.messages) && (req.body as { messages: unknown[] }).messages.length > MAX_BATCH;
      if (tooMany) throw badRequest('too_many_messages', `A batch holds at most ${MAX_BATCH} messages`);
      throw badRequest('validation_failed', 'The body must be {"messages": [ … ]} with 1 to 1000 messages', parsed.error.issues);
    }
    res.status(202).json(await deps.enqueuer.enqueueBatch(parsed.data.messages));
  });

  router.get('/messages/:id', async (req, res) => {
    res.json(await getMessageStatus(deps.messages, req.params.id));
  });

  return router;
}
