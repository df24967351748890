import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow as parse } from '../shared/validation.ts';
import type { WebhookAdmin } from './webhook-admin.ts';

export const createWebhookBody = z
  .object({
    url: z.string().min(1).max(2000),
    events: z.array(z.string().min(1).max(100)).min(1).max(20),
    description: z.string().max(500).optional(),
  })
  .strict();

export const deliveriesQuery = z
  .object({
    cursor: z.string().max(1000).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** /webhooks under /v1, behind the API key (docs/rules.md §9). */
export function webhookRoutes(deps: { admin: WebhookAdmin }): Router {
  const router = Router();
  const { admin } = deps;

  router.post('/webhooks', async (req, res) => {
    const body = parse(createWebhookBody, req.body ?? {}, 'request');
    res.status(201).json(await admin.create({ url: body.url, events: body.events, ...(body.description === undefined ? {} : { description: body.description }) }));
  });

  router.get('/webhooks', async (_req, res) => {
    res.json({ webhooks: await admin.list() });
  });

  router.get('/webhooks/:id', async (req, res) => {
    res.json(await admin.get(req.params.id));
  });

  router.delete('/webhooks/:id', async (req, res) => {
    await admin.remove(req.params.id);
    res.status(204).end();
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const q = parse(deliveriesQuery, req.query, 'query');
    res.json(await admin.deliveries(req.params.id, { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) }));
  });

  router.post('/webhooks/:id/deliveries/:deliveryId/retry', async (req, res) => {
    res.status(202).json(await admin.retry(req.params.id, req.params.deliveryId));
  });

  return router;
}
