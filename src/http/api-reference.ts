import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { apiErrorSchema } from '../contract/index.ts';
import { ERROR_RESPONSES, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';

/** The generated document (openapi3-ts's OpenAPIObject, named through the generator we use). */
export type ApiReference = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export const API_REFERENCE_PATH = '/v1/openapi.json';
export const BEARER_SCHEME = 'apiKey';

export interface ApiReferenceInput {
  title: string;
  version: string;
  description: string;
  /** One per domain, each from the domain's `*-api-doc.ts`. */
  sections: ApiDocSection[];
}

/**
 * Builds the OpenAPI 3.1 document of the /v1 API from the domains' sections: the bearer key is
 * required everywhere (a route that carries its own proof says `security: []`), the error answers
 * are shared components, one tag per domain. Built once at start-up: the document depends only on
 * the code, never on the configuration, so every installation of a version serves the same one.
 */
export function buildApiReference(input: ApiReferenceInput): ApiReference {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'The API key (MAILGATE_API_KEY): `Authorization: Bearer <key>`',
  });
  for (const [status, { name, description }] of Object.entries(ERROR_RESPONSES)) {
    registry.registerComponent('responses', name, {
      description: `${status} — ${description}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  }
  registry.registerPath({
    method: 'get',
    path: API_REFERENCE_PATH,
    tags: ['Reference'],
    summary: 'This document',
    description: 'Public: it describes the code, not the installation, and holds no secret.',
    security: [],
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), 'The OpenAPI 3.1 document of the /v1 API') },
  });
  const tags = [{ name: 'Reference', description: 'The API reference itself' }];
  for (const section of input.sections) {
    tags.push(section.tag);
    section.register({ route: (route) => registry.registerPath({ ...route, tags: [section.tag.name] }) });
  }
  // The error body is a component on its own (named by its `.meta({id})`), since the shared error
  // answers refer to it by $ref; `registry.register` would need zod patched with `.openapi()`.
  return new OpenApiGeneratorV31([...registry.definitions, { type: 'schema', schema: apiErrorSchema }]).generateDocument({
    openapi: '3.1.0',
    info: { title: input.title, version: input.version, description: input.description },
    servers: [{ url: '/', description: 'The server this document was fetched from' }],
    security: [{ [BEARER_SCHEME]: [] }],
    tags,
  });
}
