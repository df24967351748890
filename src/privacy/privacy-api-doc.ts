import { z } from 'zod';
import { COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { addressExportSchema } from './export-address.ts';

const address = z.object({ address: z.string().meta({ description: 'The email address (URL-encoded); normalized before use' }) });
const erasureReceiptSchema = z.object({ erasedAt: z.iso.datetime() }).meta({ id: 'ErasureReceipt' });

/** The privacy routes (privacy-routes.ts) in the API reference. */
export const privacyApiDoc: ApiDocSection = {
  tag: { name: 'Privacy', description: 'What mailgate holds about a person (docs/rules.md §10)' },
  register(doc) {
    doc.route({
      method: 'get',
      path: '/v1/addresses/{address}/export',
      summary: 'Everything held about an address (GDPR Art. 15), as one JSON document',
      request: { params: address },
      responses: { 200: jsonContent(addressExportSchema, 'The export, as an attachment'), ...errorResponses(...COMMON_ERRORS, 400, 503) },
    });
    doc.route({
      method: 'delete',
      path: '/v1/addresses/{address}',
      summary: 'Erase an address (GDPR Art. 17): its state, history and messages go; a keyed fingerprint keeps marketing to it suppressed',
      description:
        'Only the person’s own confirmed re-subscribe (form or footer link) brings the address back; an operator change or an import that would subscribe it is 409 `address_erased`. Emits `subscription.changed` (source `erasure`). 404 `address_not_found` when nothing is held (never seen, or erased already).',
      request: { params: address },
      responses: { 200: jsonContent(erasureReceiptSchema, 'The receipt'), ...errorResponses(...COMMON_ERRORS, 400, 404, 503) },
    });
  },
};
