import { z } from 'zod';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { addressViewSchema } from './address-view.ts';
import { subscriptionTypeViewSchema } from './catalog.ts';
import { consentEventViewSchema } from './consent-history.ts';
import { IMPORT_PATH, importAcceptedSchema, importJobViewSchema } from './import/index.ts';
import { addressPatchSchema } from './operator-routes.ts';
import { suppressionPageSchema } from './suppression-list.ts';
import { liftSuppressionBodySchema, suppressionQuerySchema } from './suppression-routes.ts';

const addressParams = z.object({
  address: z.string().meta({ description: 'The email address (URL-encoded); normalized before use, so `Ann@Example.com` is `ann@example.com`', example: 'ann@example.com' }),
});

/** The operator API for addresses, bulk import/export and the suppression list in the API reference. */
export const subscriptionApiDoc: ApiDocSection = {
  tag: { name: 'Addresses', description: 'Subscription state per address, consent history, bulk import and export, the suppression list (docs/rules.md §3, §7)' },
  register(doc) {
    doc.route({
      method: 'get',
      path: '/v1/subscription-types',
      summary: 'The subscription types (English)',
      responses: { 200: jsonContent(z.array(subscriptionTypeViewSchema), 'The catalog'), ...errorResponses(...COMMON_ERRORS) },
    });
    doc.route({
      method: 'get',
      path: '/v1/addresses/{address}',
      summary: 'The state of one address',
      description: 'A never-seen address is all `not_specified`, not opted out.',
      request: { params: addressParams },
      responses: { 200: jsonContent(addressViewSchema, 'Its state'), ...errorResponses(...COMMON_ERRORS, 400) },
    });
    doc.route({
      method: 'patch',
      path: '/v1/addresses/{address}',
      summary: 'Change the state of one address',
      description: 'Re-subscribing an address that opted out needs `legalBasis` and a non-empty `legalBasisExplanation` (else 422 `legal_basis_required`). An erased address (docs/rules.md §10) cannot be subscribed here: 409 `address_erased`. Recorded as a consent event.',
      request: { params: addressParams, body: { ...jsonContent(addressPatchSchema, 'The change'), required: true } },
      responses: { 200: jsonContent(addressViewSchema, 'The new state'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 409, 422, 503) },
    });
    doc.route({
      method: 'get',
      path: '/v1/addresses/{address}/history',
      summary: 'The consent events of an address, oldest first',
      request: { params: addressParams },
      responses: { 200: jsonContent(z.array(consentEventViewSchema), 'Its consent history'), ...errorResponses(...COMMON_ERRORS, 400) },
    });
    doc.route({
      method: 'get',
      path: '/v1/addresses/export',
      summary: 'Every address state, as CSV',
      description: 'Columns: address, optedOutOfAll, one per subscription type, suppression, updatedAt. Streamed.',
      responses: { 200: { description: 'The CSV file', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses(...COMMON_ERRORS) },
    });
    doc.route({
      method: 'post',
      path: `/v1${IMPORT_PATH}`,
      summary: 'Bulk import of changes (CSV or NDJSON)',
      description: 'Stored, then applied by the import worker; follow it with `GET /v1/jobs/{id}`.',
      request: {
        body: {
          required: true,
          description: 'One change per row: `address`, `optedOutOfAll`, types, legal basis',
          content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
        },
      },
      responses: { 202: jsonContent(importAcceptedSchema, 'Stored and queued'), ...errorResponses(...COMMON_ERRORS, 413, 415, 503) },
    });
    doc.route({
      method: 'get',
      path: '/v1/jobs/{id}',
      summary: 'Progress of a bulk import',
      request: { params: z.object({ id: z.string().meta({ description: 'The `jobId` of the import' }) }) },
      responses: { 200: jsonContent(importJobViewSchema, 'The job'), ...errorResponses(...COMMON_ERRORS, 404) },
    });
    doc.route({
      method: 'get',
      path: '/v1/suppressions',
      summary: 'Suppressed addresses, newest first, paginated',
      request: { query: suppressionQuerySchema },
      responses: { 200: jsonContent(suppressionPageSchema, 'One page'), ...errorResponses(...COMMON_ERRORS, 400) },
    });
    doc.route({
      method: 'delete',
      path: '/v1/addresses/{address}/suppression',
      summary: 'Lift the suppression of an address',
      description: 'Needs an `explanation`; lifting a `complaint` also needs a `legalBasis`. Recorded as a consent event with the actor.',
      request: { params: addressParams, body: { ...jsonContent(liftSuppressionBodySchema, 'Why'), required: true } },
      responses: { 200: jsonContent(addressViewSchema, 'The new state'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 422, 503) },
    });
  },
};
