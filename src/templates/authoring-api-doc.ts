import { z } from 'zod';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { draftBodySchema, publishBodySchema } from './authoring-routes.ts';
import { templateSourceSchema } from './template-source.ts';

const draftSchema = z
  .object({ name: z.string(), source: templateSourceSchema, revision: z.number().int(), editedBy: z.string(), editedAt: z.string() })
  .meta({ id: 'TemplateDraft' });
const versionSchema = z
  .object({ name: z.string(), version: z.number().int(), author: z.string(), at: z.string(), note: z.string(), restoredFrom: z.number().int().optional() })
  .meta({ id: 'TemplateVersion' });
const nameParam = z.object({ name: z.string().meta({ description: 'The stored template' }) });

/** The authoring routes (authoring-routes.ts) in the API reference. */
export const authoringApiDoc: ApiDocSection = {
  tag: { name: 'Template authoring', description: 'Stored templates: drafts, checked publishing into immutable versions, rollback (docs/rules.md §14). The API key acts as admin.' },
  register(doc) {
    doc.route({
      method: 'put',
      path: '/v1/templates/{name}/draft',
      summary: 'Creates a stored template (basedOn null) or saves its draft; 409 draft_conflict when basedOn is not the latest revision',
      request: { params: nameParam, body: { ...jsonContent(draftBodySchema, 'The source and the revision it was based on'), required: true } },
      responses: { 200: jsonContent(draftSchema, 'The saved draft'), 201: jsonContent(draftSchema, 'The created template'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 409) },
    });
    doc.route({
      method: 'post',
      path: '/v1/templates/{name}/publish',
      summary: 'Compiles and checks the draft and stores it as the next version; 422 template_invalid with the findings (the draft is kept)',
      request: { params: nameParam, body: { ...jsonContent(publishBodySchema, 'A note for the version'), required: false } },
      responses: { 201: jsonContent(versionSchema, 'The new version'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 422) },
    });
    doc.route({
      method: 'get',
      path: '/v1/templates/{name}/versions',
      summary: 'Every published version, newest first',
      request: { params: nameParam },
      responses: { 200: jsonContent(z.array(versionSchema), 'The versions'), ...errorResponses(...COMMON_ERRORS, 404) },
    });
    doc.route({
      method: 'post',
      path: '/v1/templates/{name}/versions/{n}/restore',
      summary: 'Republishes an old version as the newest (a rollback) and makes it the draft',
      request: { params: nameParam.extend({ n: z.string().meta({ description: 'The version to restore' }) }), body: { ...jsonContent(publishBodySchema, 'A note for the version'), required: false } },
      responses: { 201: jsonContent(versionSchema, 'The new version'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 409, 422) },
    });
  },
};
