import { z } from 'zod';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { genericFeedbackSchema } from './feedback-event.ts';
import { receivedSchema } from './receive-feedback.ts';

// What a relay's webhook is answered once its events are stored (or an SNS subscription confirmed).
const relayAnswer = z.union([receivedSchema.extend({ received: z.number().int() }), z.object({ confirmed: z.literal(true) })]).meta({ id: 'RelayFeedbackReceived' });

/** The relays' webhooks: no API key, each carries its provider's proof (docs/feedback.md). */
const RELAYS = [
  { name: 'ses', title: 'Amazon SES through SNS', proof: 'The SNS signature, checked against the certificate at `SigningCertURL`; the `TopicArn` must be configured' },
  { name: 'postmark', title: 'Postmark', proof: 'HTTP basic auth with the configured credentials' },
  { name: 'sendgrid', title: 'SendGrid Event Webhook', proof: 'The ECDSA signature headers `X-Twilio-Email-Event-Webhook-Signature` / `-Timestamp`' },
  { name: 'mailgun', title: 'Mailgun', proof: 'The `signature` HMAC-SHA256 over timestamp + token; stale timestamps and reused tokens refused' },
] as const;

/** The feedback receivers (feedback-routes.ts) in the API reference. */
export const feedbackApiDoc: ApiDocSection = {
  tag: { name: 'Feedback', description: 'Bounces, complaints and unsubscribes reported by relays and other sources (docs/feedback.md)' },
  register(doc) {
    doc.route({
      method: 'post',
      path: '/v1/feedback',
      summary: 'Feedback from any other source, in mailgate’s own format',
      request: { body: { ...jsonContent(genericFeedbackSchema, 'One event'), required: true } },
      responses: { 202: jsonContent(receivedSchema, 'Stored; applied by the feedback worker'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 422, 503) },
    });
    for (const relay of RELAYS) {
      doc.route({
        method: 'post',
        path: `/v1/feedback/${relay.name}`,
        summary: `${relay.title} webhook`,
        description: `Not behind the API key. Authenticated before anything is read: ${relay.proof}. The body is the provider’s own payload.`,
        security: [],
        request: { body: { required: true, content: { 'application/json': { schema: z.unknown() } } } },
        responses: { 200: jsonContent(relayAnswer, 'Stored (or confirmed)'), ...errorResponses(400, 401, 403, 413, 500, 503) },
      });
    }
  },
};
