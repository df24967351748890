import { Router } from 'express';
import { z } from 'zod';
import { badRequest, notFound } from '../shared/errors.ts';
import { PREVIEW_ADDRESS } from './template-registry.ts';
import type { AllTemplates } from './template-renderer.ts';
import { LOCALES } from './types.ts';

export const previewQuerySchema = z.object({ locale: z.enum(LOCALES).default('en'), format: z.enum(['html', 'text']).default('html') });

/** Admin API (mounted under /v1 behind the API key). */
export function createTemplatesRouter(deps: { renderer: AllTemplates }): Router {
  const router = Router();

  router.get('/templates', (_req, res) => {
    res.json(deps.renderer.list());
  });

  router.get('/templates/:name/preview', async (req, res) => {
    const name = String(req.params.name);
    const info = deps.renderer.get(name);
    if (!info) throw notFound('unknown_template', `No template named "${name.slice(0, 100)}"`);
    const query = previewQuerySchema.safeParse(req.query);
    if (!query.success) throw badRequest('invalid_query', `locale must be one of ${LOCALES.join(', ')}; format html or text`, query.error.issues);
    await deps.renderer.prepare(name, info.version);
    const out = deps.renderer.render({ template: name, data: deps.renderer.sampleData(name, query.data.locale) ?? info.sampleData, locale: query.data.locale, to: PREVIEW_ADDRESS, messageId: 'preview' });
    res.set('Cache-Control', 'no-store');
    if (query.data.format === 'text') res.type('text/plain; charset=utf-8').send(out.text);
    else res.type('text/html; charset=utf-8').send(out.html);
  });

  return router;
}
