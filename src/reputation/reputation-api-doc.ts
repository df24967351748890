import { z } from 'zod';
import { PROVIDER_GROUPS } from '../shared/deliverability.ts';
import { BODY_ERRORS, COMMON_ERRORS, errorResponses, jsonContent, type ApiDocSection } from '../shared/api-doc.ts';
import { explanationBody } from './reputation-routes.ts';

const ratedCounts = z.object({
  sends: z.number().int(),
  hardBounces: z.number().int(),
  softBounces: z.number().int(),
  complaints: z.number().int(),
  complaintRate: z.number().meta({ description: 'complaints / sends, a fraction (0.001 = 0.1 %)' }),
  hardBounceRate: z.number().meta({ description: 'hard bounces / sends, a fraction' }),
});

const streamSchema = z.object({
  name: z.string(),
  paused: z.boolean().meta({ description: "True while the stream's marketing is held (transactional and one-to-one still go)" }),
  state: z.enum(['ok', 'warn', 'paused']),
  pausedAt: z.string().optional(),
  pausedBy: z.enum(['guard', 'operator']).optional(),
  reason: z.string().optional().meta({ description: "The guard's figures, or the operator's explanation" }),
  rates: z.object({ '24h': ratedCounts, '7d': ratedCounts }),
  byProvider: z.record(z.enum(PROVIDER_GROUPS), z.object({ '24h': ratedCounts, '7d': ratedCounts })).meta({ description: 'By recipient provider group: gmail, microsoft, yahoo (and AOL), apple, other' }),
  byDomain: z.record(z.string(), z.object({ '24h': ratedCounts, '7d': ratedCounts })).meta({ description: "By sending domain (the From's), every domain seen in 7 days" }),
});

const name = z.object({ name: z.string().meta({ description: 'The stream (STREAMS)' }) });

/** The stream routes (reputation-routes.ts) in the API reference. */
export const reputationApiDoc: ApiDocSection = {
  tag: { name: 'Streams', description: 'The reputation guard per stream: rates, pause and resume (docs/rules.md §13)' },
  register(doc) {
    doc.route({
      method: 'get',
      path: '/v1/streams',
      summary: "Every stream with its guard state and its 24 h and 7 d rates",
      responses: { 200: jsonContent(z.object({ streams: z.array(streamSchema) }), 'The streams, in STREAMS order'), ...errorResponses(...COMMON_ERRORS, 503) },
    });
    doc.route({
      method: 'post',
      path: '/v1/streams/{name}/pause',
      summary: "Pause a stream's marketing by hand: its jobs wait in the queue, none fail",
      request: { params: name, body: jsonContent(explanationBody, 'Why (required, kept in the audit record)') },
      responses: { 200: jsonContent(streamSchema, 'The stream, paused'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 409, 422, 503) },
    });
    doc.route({
      method: 'post',
      path: '/v1/streams/{name}/resume',
      summary: "Resume a paused stream's marketing: the held messages go, each once",
      request: { params: name, body: jsonContent(explanationBody, 'Why (required, kept in the audit record)') },
      responses: { 200: jsonContent(streamSchema, 'The stream, resumed'), ...errorResponses(...COMMON_ERRORS, ...BODY_ERRORS, 404, 409, 422, 503) },
    });
  },
};
