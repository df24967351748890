import { z } from 'zod';
import { COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { addressExportSchema } from './export-address.ts';

/** The privacy routes (privacy-routes.ts) in the API reference. */
export const privacyApiDoc: ApiDocSection = {
  tag: { name: 'Privacy', description: 'What mailgate holds about a person (PRODUCT.md §10)' },
  register(doc) {
    doc.route({
      method: 'get',
      path: '/v1/addresses/{address}/export',
      summary: 'Everything held about an address (GDPR Art. 15), as one JSON document',
      request: { params: z.object({ address: z.string().meta({ description: 'The email address (URL-encoded); normalized before use' }) }) },
      responses: { 200: jsonContent(addressExportSchema, 'The export, as an attachment'), ...errorResponses(...COMMON_ERRORS, 400, 503) },
    });
  },
};
