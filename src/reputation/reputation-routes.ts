import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow as parse } from '../shared/validation.ts';
import type { ReputationService } from './reputation-control.ts';

/** The body of a pause or resume: why (kept in the audit record). An empty one is refused by the use case with 422. */
export const explanationBody = z.object({ explanation: z.string().max(2000).default('') }).strict();

/** `/v1/streams` behind the API key (docs/rules.md §13): the streams with their guard and rates, pause and resume. */
export function reputationRoutes(deps: { reputation: ReputationService }): Router {
  const router = Router();
  const { reputation } = deps;
  const actorOf = (locals: Record<string, unknown>): string => (typeof locals.actor === 'string' ? locals.actor : 'api');

  router.get('/streams', async (_req, res) => {
    res.json({ streams: await reputation.overview() });
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/streams/:name/${action}`, async (req, res) => {
      const body = parse(explanationBody, req.body ?? {}, 'request');
      await reputation[action](req.params.name, { actor: actorOf(res.locals), explanation: body.explanation });
      const stream = (await reputation.overview()).find((s) => s.name === req.params.name);
      res.json(stream);
    });
  }
  return router;
}
