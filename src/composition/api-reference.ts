import pkg from '../../package.json' with { type: 'json' };
import { buildApiReference, type ApiReference } from '../http/api-reference.ts';
import { feedbackApiDoc } from '../feedback/index.ts';
import { messageApiDoc } from '../messages/index.ts';
import { privacyApiDoc } from '../privacy/index.ts';
import { subscriptionApiDoc } from '../subscriptions/index.ts';
import { templatesApiDoc } from '../templates/index.ts';
import { webhookApiDoc } from '../webhooks/index.ts';

/**
 * The API reference served at GET /v1/openapi.json: one section per domain, each documented next to
 * its routes (`<domain>/*-api-doc.ts`). A new domain with /v1 routes adds its section here.
 */
export function apiReference(): ApiReference {
  return buildApiReference({
    title: 'mailgate API',
    version: pkg.version,
    description: 'The /v1 HTTP API of mailgate, generated from the zod schemas its routes validate with. Errors: `{"error": {"code", "message", "details"}}`.',
    sections: [messageApiDoc, subscriptionApiDoc, templatesApiDoc, feedbackApiDoc, privacyApiDoc, webhookApiDoc],
  });
}
