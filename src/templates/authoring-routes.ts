import { Router, type Response } from 'express';
import { z } from 'zod';
import { badRequest } from '../shared/errors.ts';
import type { TemplateAuthoring } from '../shared/template-authoring.ts';
import { templateSourceSchema } from './template-source.ts';

export const draftBodySchema = templateSourceSchema
  .extend({ basedOn: z.number().int().positive().nullable().meta({ description: 'The revision this edit started from; null creates the template' }) })
  .meta({ id: 'TemplateDraftInput' });
export const publishBodySchema = z.object({ note: z.string().max(500).default('') }).strict();
export const versionParamsSchema = z.object({ name: z.string().max(100), n: z.coerce.number().int().positive() });

/** The API key acts as admin (docs/rules.md §14): CI may publish transactional templates. */
const actorOf = (res: Response): string => (typeof res.locals.actor === 'string' ? res.locals.actor : 'api');

const parse = <T>(schema: z.ZodType<T>, value: unknown, code: string): T => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(code, parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ').slice(0, 500), parsed.error.issues);
  return parsed.data;
};

/** The authoring API for CI (mounted under /v1 behind the API key). */
export function createAuthoringRouter(deps: { authoring: TemplateAuthoring }): Router {
  const router = Router();

  router.put('/templates/:name/draft', async (req, res) => {
    const { basedOn, ...source } = parse(draftBodySchema, req.body, 'invalid_template_source');
    const draft = await deps.authoring.saveDraft(String(req.params.name), source, { actor: actorOf(res), basedOn });
    res.status(basedOn === null ? 201 : 200).json(draft);
  });

  router.post('/templates/:name/publish', async (req, res) => {
    const { note } = parse(publishBodySchema, req.body ?? {}, 'invalid_body');
    res.status(201).json(await deps.authoring.publish(String(req.params.name), { actor: actorOf(res), role: 'admin', note }));
  });

  router.get('/templates/:name/versions', async (req, res) => {
    const template = await deps.authoring.get(String(req.params.name));
    res.json(template.versions);
  });

  router.post('/templates/:name/versions/:n/restore', async (req, res) => {
    const { name, n } = parse(versionParamsSchema, req.params, 'invalid_version');
    const { note } = parse(publishBodySchema, req.body ?? {}, 'invalid_body');
    res.status(201).json(await deps.authoring.restore(name, n, { actor: actorOf(res), role: 'admin', note }));
  });

  return router;
}
