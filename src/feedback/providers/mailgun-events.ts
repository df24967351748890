import { z } from 'zod';
import { classifyPermanent, classifyStatus, enhancedStatusIn, oneLine, type Classification } from '../classify.ts';
import type { FeedbackEvent, MessageRef } from '../feedback-event.ts';
import { FeedbackParseError, parsePayload } from '../feedback-parse-error.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId } from '../message-ref.ts';

const eventDataSchema = z.looseObject({
  event: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.number().nonnegative(),
  recipient: z.string().min(1).optional(),
  severity: z.string().optional(),
  reason: z.string().optional(),
  'delivery-status': z
    .looseObject({
      code: z.union([z.number(), z.string()]).optional(),
      'enhanced-code': z.string().optional(),
      message: z.string().optional(),
      description: z.string().optional(),
    })
    .optional(),
  message: z.looseObject({ headers: z.looseObject({ 'message-id': z.string().optional() }).optional() }).optional(),
  storage: z.looseObject({ key: z.string().optional() }).optional(),
});
type EventData = z.output<typeof eventDataSchema>;

// The signature block is checked by the verifier; here it only has to be there.
const bodySchema = z.looseObject({ signature: z.looseObject({}), 'event-data': eventDataSchema });

const WHAT = 'Mailgun webhook';
const RECIPIENT_EVENTS = new Set(['failed', 'complained', 'unsubscribed', 'delivered']);

interface Status {
  statusCode: string | undefined;
  smtpCode: number | undefined;
  diagnostic: string | undefined;
}

function statusOf(e: EventData): Status {
  const ds = e['delivery-status'];
  const code = typeof ds?.code === 'number' ? ds.code : Number.parseInt(ds?.code ?? '', 10);
  // Mailgun's own codes (605 "not delivering to previously bounced address") are not SMTP codes.
  const smtpCode = Number.isInteger(code) && code >= 200 && code < 600 ? code : undefined;
  const diagnostic = oneLine(ds?.message) ?? oneLine(ds?.description);
  const statusCode = ds?.['enhanced-code'] ?? enhancedStatusIn(ds?.message) ?? enhancedStatusIn(ds?.description);
  return { statusCode, smtpCode, diagnostic };
}

function failedMeaning(e: EventData, s: Status): Classification {
  if (e.severity === 'permanent') {
    // Mailgun refused to send because of its own suppression lists: it heard the bounce or complaint earlier.
    if (e.reason === 'suppress-bounce') return { type: 'hard_bounce', detail: 'suppress-bounce' };
    if (e.reason === 'suppress-complaint') return { type: 'complaint', detail: 'suppress-complaint' };
    if (e.reason === 'suppress-unsubscribe') return { type: 'ignored', detail: 'suppress-unsubscribe' };
    if (e.reason === 'esp-block') return { type: 'ignored', detail: 'policy' };
    return classifyPermanent(s);
  }
  const c = classifyStatus(s);
  if (c.type === 'ignored' && c.detail !== 'unknown') return c;
  return { type: 'soft_bounce', detail: (c.type === 'soft_bounce' ? c.detail : undefined) ?? 'temporary' };
}

function meaning(e: EventData, s: Status): Classification {
  switch (e.event) {
    case 'failed':
      return failedMeaning(e, s);
    case 'complained':
      return { type: 'complaint' };
    case 'unsubscribed':
      return { type: 'unsubscribe' };
    case 'delivered':
      return { type: 'delivered' };
    default:
      return { type: 'ignored', detail: `unknown_event:${e.event}` };
  }
}

function messageRef(e: EventData): MessageRef {
  const headerMessageId = headerMessageIdOf(e.message?.headers?.['message-id']);
  const messageId = mailgateIdFromHeaderMessageId(headerMessageId);
  const relayMessageId = e.storage?.key;
  return {
    ...(relayMessageId === undefined ? {} : { relayMessageId }),
    ...(headerMessageId === undefined ? {} : { headerMessageId }),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

/** A Mailgun webhook body `{signature, "event-data"}` → one event. eventId is Mailgun's event id. */
export function parseMailgunWebhook(body: unknown, _context: { token?: string | undefined } = {}): FeedbackEvent[] {
  const e = parsePayload(bodySchema, body, WHAT)['event-data'];
  if (RECIPIENT_EVENTS.has(e.event) && e.recipient === undefined) {
    throw new FeedbackParseError('invalid_feedback_payload', `${WHAT}: event-data.recipient is required for ${e.event}`);
  }
  const s = statusOf(e);
  const c = meaning(e, s);
  const event: FeedbackEvent = { type: c.type, address: e.recipient, at: new Date(e.timestamp * 1000), provider: 'mailgun', eventId: e.id, message: messageRef(e) };
  if (e.event === 'failed') {
    if (s.statusCode !== undefined) event.statusCode = s.statusCode;
    if (s.diagnostic !== undefined) event.diagnostic = s.diagnostic;
  }
  if (c.detail !== undefined) event.detail = c.detail;
  return [event];
}
