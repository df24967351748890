import { z } from 'zod';
import { classifyPermanent, oneLine, type Classification } from '../classify.ts';
import type { FeedbackEvent, MessageRef } from '../feedback-event.ts';
import { parsePayload } from '../feedback-parse-error.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId } from '../message-ref.ts';

const eventSchema = z.looseObject({
  email: z.string().min(1),
  event: z.string().min(1),
  timestamp: z.number().nonnegative(),
  sg_event_id: z.string().min(1).optional(),
  sg_message_id: z.string().min(1).optional(),
  'smtp-id': z.string().optional(),
  type: z.string().optional(),
  status: z.string().optional(),
  reason: z.string().optional(),
  response: z.string().optional(),
  asm_group_id: z.union([z.number(), z.string()]).optional(),
});
type SendgridEvent = z.output<typeof eventSchema>;

const bodySchema = z.array(eventSchema);

function meaning(e: SendgridEvent): Classification {
  switch (e.event) {
    case 'bounce':
      // `bounce` is SendGrid's permanent failure; `blocked` is a block of our mail, not the mailbox.
      if (e.type === 'blocked') return { type: 'ignored', detail: 'policy' };
      return classifyPermanent({ statusCode: e.status, diagnostic: e.reason });
    case 'dropped':
      return { type: 'ignored', detail: `dropped:${oneLine(e.reason)?.slice(0, 100) ?? 'unknown'}` };
    // SendGrid is still retrying a deferred message: counting each attempt would inflate soft bounces.
    case 'deferred':
      return { type: 'ignored', detail: 'deferred' };
    case 'spamreport':
      return { type: 'complaint' };
    case 'unsubscribe':
      return { type: 'unsubscribe' };
    // An ASM group has no mailgate subscription type to map to: the unsubscribe covers all marketing.
    case 'group_unsubscribe':
      return { type: 'unsubscribe', detail: `asm_group:${e.asm_group_id ?? 'unknown'}` };
    case 'delivered':
      return { type: 'delivered' };
    default:
      return { type: 'ignored', detail: `unknown_event:${e.event}` };
  }
}

function messageRef(e: SendgridEvent): MessageRef {
  // sg_message_id is "<id returned on submission>.<filter and recipient suffix>".
  const relayMessageId = e.sg_message_id?.split('.')[0] || undefined;
  const headerMessageId = headerMessageIdOf(e['smtp-id']);
  const messageId = mailgateIdFromHeaderMessageId(headerMessageId);
  return {
    ...(relayMessageId === undefined ? {} : { relayMessageId }),
    ...(headerMessageId === undefined ? {} : { headerMessageId }),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

/**
 * A SendGrid Event Webhook body (a JSON array) → one event per element. The batch is parsed as a
 * whole, so one malformed element fails it: SendGrid retries, and nothing was half-applied.
 * sg_event_id is the dedup key; old payloads without one get a key built from the event itself.
 */
export function parseSendgridEvents(body: unknown): FeedbackEvent[] {
  const events = parsePayload(bodySchema, body, 'SendGrid event webhook');
  return events.map((e) => {
    const c = meaning(e);
    const eventId = e.sg_event_id ?? `sendgrid:${e.event}:${e.sg_message_id ?? e['smtp-id'] ?? '-'}:${e.email}:${e.timestamp}`;
    const event: FeedbackEvent = { type: c.type, address: e.email, at: new Date(e.timestamp * 1000), provider: 'sendgrid', eventId, message: messageRef(e) };
    const diagnostic = oneLine(e.reason) ?? oneLine(e.response);
    if (e.status !== undefined && /^[245]\.\d{1,3}\.\d{1,3}$/.test(e.status)) event.statusCode = e.status;
    if (diagnostic !== undefined) event.diagnostic = diagnostic;
    if (c.detail !== undefined) event.detail = c.detail;
    return event;
  });
}
