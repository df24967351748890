import { z } from 'zod';
import { COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { previewQuerySchema } from './templates-router.ts';
import { templateInfoSchema } from './types.ts';

/** The templates routes (templates-router.ts) in the API reference. */
export const templatesApiDoc: ApiDocSection = {
  tag: { name: 'Templates', description: 'The compiled MJML templates and their previews' },
  register(doc) {
    doc.route({
      method: 'get',
      path: '/v1/templates',
      summary: 'Every template with its kind, type, subject and sample data',
      responses: { 200: jsonContent(z.array(templateInfoSchema), 'The templates'), ...errorResponses(...COMMON_ERRORS) },
    });
    doc.route({
      method: 'get',
      path: '/v1/templates/{name}/preview',
      summary: 'A template rendered with its sample data',
      request: { params: z.object({ name: z.string() }), query: previewQuerySchema },
      responses: {
        200: { description: 'The rendered email', content: { 'text/html': { schema: z.string() }, 'text/plain': { schema: z.string() } } },
        ...errorResponses(...COMMON_ERRORS, 400, 404),
      },
    });
  },
};
