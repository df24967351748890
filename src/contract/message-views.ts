import { z } from 'zod';
import { CONSENT_MODES, DECISION_RULES } from '../shared/decision-rules.ts';
import { MESSAGE_KINDS } from '../shared/message-kinds.ts';
import { apiErrorDetailSchema } from './api-error.ts';
import { MESSAGE_STATUSES } from './message-input.ts';

/**
 * What the message routes answer (docs/rules.md §3). The schemas are the contract: the API reference
 * is generated from them and the typed client's types are inferred from them, so neither can drift
 * from the other.
 */
const messageId = z.string().meta({ description: 'The message id (24 hex characters)', example: '665f1c2e9b1d4a0012345678' });
const messageStatus = z.enum(MESSAGE_STATUSES);

/** `POST /v1/messages` answer. */
export const enqueueResultSchema = z.object({ id: messageId, status: messageStatus }).meta({ id: 'EnqueueResult' });
export type EnqueueResult = z.infer<typeof enqueueResultSchema>;

/** One entry of `POST /v1/messages/batch`: the message's id, or why that item was refused. */
export const batchItemResultSchema = z.union([enqueueResultSchema, z.object({ error: apiErrorDetailSchema })]).meta({ id: 'BatchItemResult' });
export type BatchItemResult = z.infer<typeof batchItemResultSchema>;

export const batchResultSchema = z.object({ results: z.array(batchItemResultSchema).meta({ description: 'One result per message, in order' }) }).meta({ id: 'BatchResult' });
export type BatchResult = z.infer<typeof batchResultSchema>;

/** What the relay reported after accepting the message (a bounce or a complaint), and when. */
export const messageFeedbackViewSchema = z
  .object({
    type: z.enum(['hard_bounce', 'complaint']),
    at: z.iso.datetime(),
    provider: z.string(),
    statusCode: z.string().optional(),
    diagnostic: z.string().optional(),
  })
  .meta({ id: 'MessageFeedback' });
export type MessageFeedbackView = z.infer<typeof messageFeedbackViewSchema>;

/** The relay's latest warning that it is still trying to deliver the message (not a bounce). */
export const messageDelayViewSchema = z
  .object({
    at: z.iso.datetime(),
    provider: z.string(),
    statusCode: z.string().optional(),
    diagnostic: z.string().optional(),
  })
  .meta({ id: 'MessageDelay' });

/** Why the send-time check let the message go or stopped it, and the consent event that proves the state it read. */
export const messageDecisionViewSchema = z
  .object({
    rule: z.enum(DECISION_RULES).meta({
      description:
        'The rule that decided. Sent: `transactional` / `one_to_one` (never blocked by an opt-out), `subscribed`, `not_specified_opt_out_mode`. Suppressed: the `reason`',
    }),
    consentEvent: z
      .string()
      .nullable()
      .meta({
        description: 'The consent event the address state rested on: the `id` of an entry of `GET /v1/addresses/{address}/history` (`address#version`); null when the address had no recorded change',
        example: 'ann@example.com#3',
      }),
    consentMode: z.enum(CONSENT_MODES).meta({ description: 'The consent mode (CONSENT_MODE) at the time' }),
    frequencyCap: z
      .enum(['counted', 'bypassed'])
      .optional()
      .meta({ description: 'Marketing under a frequency cap: `counted` (it took a slot) or `bypassed` (it took one though the cap was full: `bypassFrequencyCap`). Absent when no cap covered it' }),
  })
  .meta({ id: 'MessageDecision' });
export type MessageDecisionView = z.infer<typeof messageDecisionViewSchema>;

/** `GET /v1/messages/:id` answer. */
export const messageViewSchema = z
  .object({
    id: messageId,
    kind: z.enum(MESSAGE_KINDS),
    to: z.string(),
    template: z.string(),
    templateVersion: z.number().int().positive().optional().meta({ description: 'A stored template: the version this message renders, the newest published when it was enqueued' }),
    subscriptionType: z.string().optional(),
    stream: z.string().optional().meta({ description: 'The stream it leaves by (its queue, relay and identity); absent on messages enqueued before streams' }),
    bypassFrequencyCap: z.boolean().optional().meta({ description: 'Enqueued with `bypassFrequencyCap: true`: counted against the frequency caps, never refused by them' }),
    status: messageStatus,
    reason: z.string().optional().meta({ description: 'Why it was suppressed or failed' }),
    detail: z.string().optional(),
    attempts: z.number().int().min(0),
    createdAt: z.iso.datetime(),
    sendAt: z.iso.datetime().optional(),
    sentAt: z.iso.datetime().optional(),
    relay: z.string().optional().meta({ description: 'The relay that accepted it, its URL without credentials', example: 'smtp://relay.example:587' }),
    feedback: messageFeedbackViewSchema.optional(),
    delayed: messageDelayViewSchema.optional().meta({ description: 'The relay is still trying: its latest delay warning (the status stays `sent`)' }),
    decision: messageDecisionViewSchema
      .optional()
      .meta({ description: 'Why it went or did not (absent while queued, when it failed before the check, and for messages sent before decisions were kept)' }),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof messageViewSchema>;
