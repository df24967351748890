import { z } from 'zod';
import { classifyPermanent, enhancedStatusIn, oneLine, type StatusInput } from '../classify.ts';
import type { FeedbackEvent, MessageRef } from '../feedback-event.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId } from '../message-ref.ts';
import { dateOfSeconds, idParts, ignoredDetail, isRecord, lenient, recipientAddress, statusField, text, unreadable } from './relay-fields.ts';
import { finalSoftVerdict, relayEvent, type EventBase, type Verdict } from './relay-verdicts.ts';

// The fields of `event-data` mailgate uses, each read on its own (relay-fields.ts). Seen in real
// payloads and left alone: `storage: []`, `user-variables: []`, a string `timestamp`, null texts.
const eventDataSchema = z.looseObject({
  event: text,
  id: text,
  severity: text,
  reason: text,
  'delivery-status': lenient(
    z.looseObject({
      code: lenient(z.union([z.number(), z.string()])),
      'enhanced-code': text,
      message: text,
      description: text,
    }),
  ),
  message: lenient(z.looseObject({ headers: lenient(z.looseObject({ 'message-id': text })) })),
  storage: lenient(z.looseObject({ key: text })),
  tags: lenient(z.array(z.unknown())),
});
type EventData = z.output<typeof eventDataSchema>;

const PROVIDER = 'mailgun' as const;

interface Status extends StatusInput {
  /** One line, for storage. */
  line: string | undefined;
}

/** The receiver's reply: read whole for classifying (a multi-line reply keeps every code), kept as one line. */
function statusOf(e: EventData): Status {
  const ds = e['delivery-status'];
  const code = typeof ds?.code === 'number' ? ds.code : Number.parseInt(ds?.code ?? '', 10);
  // Mailgun's own codes (605 "not delivering to previously bounced address") are not SMTP codes.
  const smtpCode = Number.isInteger(code) && code >= 200 && code < 600 ? code : undefined;
  const diagnostic = ds?.message ?? ds?.description;
  const statusCode = statusField(ds?.['enhanced-code']) ?? enhancedStatusIn(ds?.message) ?? enhancedStatusIn(ds?.description);
  return { statusCode, smtpCode, diagnostic, line: oneLine(ds?.message) ?? oneLine(ds?.description) };
}

/**
 * `failed` by Mailgun's verdict first: `severity` temporary means Mailgun will retry (delayed);
 * permanent is read with its `reason`, then refined by the reply (classify.ts).
 */
function failedVerdict(e: EventData, status: Status): Verdict {
  if (e.severity !== 'permanent') return { type: 'delayed' };
  switch (e.reason) {
    // Not sent: the address is on Mailgun's own list, put there by an earlier permanent failure,
    // complaint or unsubscribe; Mailgun's verdict is permanent, as SES's Suppressed.
    case 'suppress-bounce':
      return { type: 'hard_bounce', detail: 'suppress-bounce' };
    case 'suppress-complaint':
      return { type: 'complaint', detail: 'suppress-complaint' };
    case 'suppress-unsubscribe':
      return { type: 'unsubscribe', detail: 'suppress-unsubscribe' };
    case 'espblock':
    case 'esp-block':
      return { type: 'ignored', detail: ignoredDetail('policy', e.reason) };
    // Mailgun retried until the message was too old, and gave up: a final soft failure.
    case 'old':
      return finalSoftVerdict(status, 'old');
    // bounce, hardfail, generic and the rest: permanent, unless the reply shows a block of our mail.
    default:
      return classifyPermanent(status);
  }
}

function verdictOf(e: EventData, event: string, status: Status): Verdict {
  switch (event) {
    case 'failed':
      return failedVerdict(e, status);
    case 'delivered':
      return { type: 'delivered' };
    case 'complained':
      return { type: 'complaint' };
    // Tag "*" is Mailgun's "unsubscribed from the domain": all marketing. Other tags, or none: that message's type.
    case 'unsubscribed':
      return e.tags?.includes('*') ? { type: 'unsubscribe', scope: 'all' } : { type: 'unsubscribe' };
    case 'accepted':
    case 'opened':
    case 'clicked':
      return { type: 'ignored', detail: ignoredDetail('engagement', event) };
    // An inbound message Mailgun stored.
    case 'stored':
      return { type: 'ignored', detail: ignoredDetail('not_feedback', event) };
    // Mailgun refused our request (a sandbox domain, a disabled account): ours to fix.
    case 'rejected':
      return { type: 'ignored', detail: ignoredDetail('sender_side', event) };
    default:
      return { type: 'ignored', detail: ignoredDetail('unknown_event', event) };
  }
}

function messageRef(e: EventData): MessageRef {
  const headerMessageId = headerMessageIdOf(e.message?.headers?.['message-id']);
  const messageId = mailgateIdFromHeaderMessageId(headerMessageId);
  const relayMessageId = e.storage?.key?.slice(0, 200);
  return {
    ...(relayMessageId === undefined ? {} : { relayMessageId }),
    ...(headerMessageId === undefined ? {} : { headerMessageId }),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

/**
 * The event id: Mailgun's `id`. Events without one (older payloads, the Events API's examples)
 * take the signature's token, which Mailgun makes fresh for every delivery and the route refuses
 * to see twice; without a token either, the event's own fields stand in.
 */
function eventIdOf(e: EventData, data: Record<string, unknown>, event: string, token: string | undefined): string {
  if (e.id !== undefined) return e.id.slice(0, 200);
  if (token !== undefined && token !== '') return `token:${token.slice(0, 200)}`;
  const timestamp = typeof data.timestamp === 'number' || typeof data.timestamp === 'string' ? String(data.timestamp) : undefined;
  return `mailgun:${idParts(event, typeof data.recipient === 'string' ? data.recipient : undefined, timestamp, e.message?.headers?.['message-id'])}`;
}

export interface MailgunContext {
  /** The signature block's token, already verified by the route. */
  token?: string | undefined;
  receivedAt?: Date;
}

/** A Mailgun webhook body `{signature, "event-data"}` → one event. Never throws: what cannot be read is kept as unreadable. */
export function parseMailgunWebhook(body: unknown, context: MailgunContext = {}): FeedbackEvent[] {
  const receivedAt = context.receivedAt ?? new Date();
  const data = isRecord(body) ? body['event-data'] : undefined;
  if (!isRecord(data)) return [unreadable(PROVIDER, 'no event-data object', body, receivedAt)];
  const e = eventDataSchema.parse(data);
  if (e.event === undefined) return [unreadable(PROVIDER, 'event-data without `event`', body, receivedAt)];
  const event = e.event.slice(0, 100);
  const status = statusOf(e);
  const base: EventBase = {
    address: recipientAddress(data.recipient),
    at: dateOfSeconds(data.timestamp) ?? receivedAt,
    provider: PROVIDER,
    eventId: eventIdOf(e, data, event, context.token),
    message: messageRef(e),
  };
  const extra = event === 'failed' ? { statusCode: status.statusCode, diagnostic: status.line } : {};
  return [relayEvent(base, verdictOf(e, event, status), event, extra)];
}
