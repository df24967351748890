import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';

/**
 * What a domain's `*-api-doc.ts` is handed to document its routes in the API reference
 * (`GET /v1/openapi.json`, built by src/http/api-reference.ts): one `route` call per route it
 * serves under /v1, with the zod schemas the route itself parses with. The coverage test
 * (test/integration/openapi.test.ts) fails when a served route has no `route` call.
 */
export interface ApiDoc {
  /** Documents one route; `path` in OpenAPI form (`/v1/addresses/{address}`). Tagged with the domain's tag. */
  route(route: RouteConfig): void;
}

/** A domain's part of the reference: its tag (one per domain) and the function that documents its routes. */
export interface ApiDocSection {
  tag: { name: string; description: string };
  register(doc: ApiDoc): void;
}

/** The error answers every route may give, each a shared component (`#/components/responses/…`). */
export const ERROR_RESPONSES = {
  400: { name: 'BadRequest', description: 'Malformed: not JSON, a field of the wrong shape (`validation_failed`), a `$` key (`operator_not_allowed`)' },
  401: { name: 'Unauthorized', description: 'No or a wrong `Authorization: Bearer <key>` (`unauthorized`)' },
  403: { name: 'Forbidden', description: 'Refused: the source is not configured, or its proof does not hold' },
  404: { name: 'NotFound', description: 'No such resource' },
  409: { name: 'Conflict', description: 'The request conflicts with the current state' },
  413: { name: 'PayloadTooLarge', description: 'The body is too large (`payload_too_large`)' },
  415: { name: 'UnsupportedMediaType', description: 'Wrong Content-Type or Content-Encoding (`unsupported_media_type`)' },
  422: { name: 'Unprocessable', description: 'Well-formed but not allowed (e.g. `legal_basis_required`, `unknown_template`)' },
  429: { name: 'TooManyRequests', description: 'Rate-limited: try again later' },
  500: { name: 'InternalError', description: 'A bug on our side (`internal_error`)' },
  503: { name: 'ServiceUnavailable', description: 'A store or queue is unavailable: retry later, with the same idempotency key' },
} as const;
export type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** References to the shared error answers, for a route's `responses`. */
export function errorResponses(...statuses: ErrorStatus[]): Record<string, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/${ERROR_RESPONSES[s].name}` }]));
}

/** Errors every JSON route behind the API key can answer, whatever it does. */
export const COMMON_ERRORS: ErrorStatus[] = [401, 500];
/** And those a route taking a JSON body can answer before it runs (body guards, body parser). */
export const BODY_ERRORS: ErrorStatus[] = [400, 413, 415];

/** A JSON answer or body. */
export function jsonContent(schema: z.ZodType, description: string): { description: string; content: { 'application/json': { schema: z.ZodType } } } {
  return { description, content: { 'application/json': { schema } } };
}
