import { z } from 'zod';
import { classifyPermanent, classifyStatus, enhancedStatusIn, oneLine, type Classification } from '../classify.ts';
import type { FeedbackEvent, MessageRef } from '../feedback-event.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId } from '../message-ref.ts';
import { dateOfSeconds, idField, idParts, ignoredDetail, isRecord, recipientAddress, statusField, text, unreadable } from './relay-fields.ts';
import { finalSoftVerdict, relayEvent, type EventBase, type Verdict } from './relay-verdicts.ts';

// The fields mailgate uses, each read on its own (relay-fields.ts); `category`, `attempt`, custom
// arguments and the rest are left alone, whatever their shape.
const eventSchema = z.looseObject({
  event: text,
  sg_event_id: idField,
  sg_message_id: text,
  'smtp-id': text,
  type: text,
  status: text,
  reason: text,
  response: text,
  bounce_classification: text,
  asm_group_id: idField,
});
type SendgridEvent = z.output<typeof eventSchema>;

const PROVIDER = 'sendgrid' as const;
/**
 * Most elements read from one body. SendGrid posts a batch every 30 s or at 768 KB, a few thousand
 * events at most; what lies past this is kept as one unreadable event instead of read one by one.
 */
const MAX_BATCH = 10_000;

/**
 * `event: bounce` by SendGrid's own verdicts first: `type` (bounce, blocked, expired) and
 * `bounce_classification`; the status and reason only refine them (classify.ts).
 */
function bounceVerdict(e: SendgridEvent): Classification {
  const status = { statusCode: e.status, diagnostic: e.reason };
  const classification = e.bounce_classification?.toLowerCase() ?? '';
  // A block of our mail, "temporary" per SendGrid, whatever its text says about the recipient.
  if (e.type === 'blocked') return { type: 'ignored', detail: ignoredDetail('policy', 'blocked') };
  // Reputation, Content, Frequency or Volume Too High: SendGrid's reading is about our mail.
  if (/^(?:reputation|content|frequency)/.test(classification)) return { type: 'ignored', detail: ignoredDetail('policy', e.bounce_classification) };
  if (classification === 'invalid address') return classifyPermanent(status, 'invalid_address');
  // DNS, connection, protocol: not the mailbox; counted as soft, like Postmark's DnsError.
  if (classification.startsWith('technical')) return finalSoftVerdict(status, 'technical');
  // SendGrid gave up retrying a deferred message.
  if (e.type === 'expired') return finalSoftVerdict(status, 'expired');
  // `type: bounce`, or none (older docs), with Mailbox Unavailable, Unclassified or no classification.
  if (e.type === undefined || e.type === 'bounce') return classifyPermanent(status);
  const c = classifyStatus(status);
  return c.type === 'ignored' && c.detail === 'unknown' ? { type: 'ignored', detail: ignoredDetail('unknown', `type ${e.type}`) } : c;
}

function verdictOf(e: SendgridEvent, event: string): Verdict {
  switch (event) {
    case 'bounce':
      return bounceVerdict(e);
    // SendGrid did not send, because of its own lists or checks; the cause was reported when it happened.
    case 'dropped':
      return { type: 'ignored', detail: ignoredDetail('dropped', oneLine(e.reason) ?? 'unknown') };
    // Still retrying: a warning on the message, never a soft bounce.
    case 'deferred':
      return { type: 'delayed' };
    case 'delivered':
      return { type: 'delivered' };
    case 'processed':
    case 'open':
    case 'click':
      return { type: 'ignored', detail: ignoredDetail('engagement', event) };
    case 'spamreport':
      return { type: 'complaint' };
    // "Opt out of all emails".
    case 'unsubscribe':
      return { type: 'unsubscribe', scope: 'all' };
    // An ASM group has no mailgate subscription type: the type of the message it names, or all.
    case 'group_unsubscribe':
      return { type: 'unsubscribe', detail: `asm_group:${String(e.asm_group_id ?? 'unknown').slice(0, 40)}` };
    case 'group_resubscribe':
      return { type: 'ignored', detail: ignoredDetail('reactivated', event) };
    case 'account_status_change':
      return { type: 'ignored', detail: ignoredDetail('account_status', e.type ?? 'unknown') };
    default:
      return { type: 'ignored', detail: ignoredDetail('unknown_event', event) };
  }
}

function messageRef(e: SendgridEvent): MessageRef {
  // sg_message_id is "<id returned on submission>.<filter and recipient suffix>".
  const relayMessageId = e.sg_message_id?.split('.')[0] || undefined;
  const headerMessageId = headerMessageIdOf(e['smtp-id']);
  const messageId = mailgateIdFromHeaderMessageId(headerMessageId);
  return {
    ...(relayMessageId === undefined ? {} : { relayMessageId: relayMessageId.slice(0, 200) }),
    ...(headerMessageId === undefined ? {} : { headerMessageId }),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

const sgEventIdOf = (element: unknown): string | undefined => {
  const id = isRecord(element) ? element.sg_event_id : undefined;
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' && Number.isFinite(id) ? String(id) : undefined;
};

/**
 * The event id: `sg_event_id`, SendGrid's de-duplication key. The documentation's reference batch
 * gives all its 11 events the literal same one; keyed on it alone they would collapse into the
 * first (a `processed`), losing the bounce, the complaint and the unsubscribes. So an id that
 * repeats within one body is qualified by what tells its events apart (event, email, timestamp):
 * still the same key when the same body is delivered again, and distinct events stay distinct.
 * An id that does not repeat stays as SendGrid sent it, the key records already stored carry.
 */
function eventIdOf(e: SendgridEvent, element: Record<string, unknown>, event: string, repeated: boolean): string {
  const parts = idParts(event, recipientText(element.email), timestampText(element.timestamp));
  const sgEventId = e.sg_event_id === undefined ? undefined : String(e.sg_event_id).slice(0, 200);
  if (sgEventId === undefined) return `sendgrid:${idParts(event, e.sg_message_id ?? e['smtp-id'], recipientText(element.email), timestampText(element.timestamp))}`;
  return repeated ? `${sgEventId}:${parts}` : sgEventId;
}

const recipientText = (value: unknown): string | undefined => recipientAddress(value) ?? (typeof value === 'string' ? value : undefined);
const timestampText = (value: unknown): string | undefined => (typeof value === 'number' || typeof value === 'string' ? String(value) : undefined);

function readEvent(element: unknown, repeated: boolean, receivedAt: Date): FeedbackEvent {
  if (!isRecord(element)) return unreadable(PROVIDER, 'event is not a JSON object', element, receivedAt);
  const e = eventSchema.parse(element);
  if (e.event === undefined) return unreadable(PROVIDER, 'event without `event`', element, receivedAt);
  const event = e.event.slice(0, 100);
  const base: EventBase = {
    address: recipientAddress(element.email),
    at: dateOfSeconds(element.timestamp) ?? receivedAt,
    provider: PROVIDER,
    eventId: eventIdOf(e, element, event, repeated),
    message: messageRef(e),
  };
  const statusCode = statusField(e.status) ?? enhancedStatusIn(e.reason ?? e.response);
  return relayEvent(base, verdictOf(e, event), event, { statusCode, diagnostic: oneLine(e.reason) ?? oneLine(e.response) });
}

/**
 * A SendGrid Event Webhook body (a JSON array; a lone event object is read as a batch of one) →
 * one event per element, each read on its own: an element that cannot be read is kept as
 * unreadable and the others are applied, so one odd element no longer costs the whole batch.
 * Never throws.
 */
export function parseSendgridEvents(body: unknown, receivedAt: Date = new Date()): FeedbackEvent[] {
  const elements = Array.isArray(body) ? body : isRecord(body) ? [body] : undefined;
  if (elements === undefined) return [unreadable(PROVIDER, 'not a JSON array', body, receivedAt)];
  const read = elements.slice(0, MAX_BATCH);
  const seen = new Map<string, number>();
  for (const element of read) {
    const id = sgEventIdOf(element);
    if (id !== undefined) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const events = read.map((element) => {
    const id = sgEventIdOf(element);
    return readEvent(element, id !== undefined && (seen.get(id) ?? 0) > 1, receivedAt);
  });
  if (elements.length > MAX_BATCH) events.push(unreadable(PROVIDER, `batch longer than ${MAX_BATCH} events`, elements.slice(MAX_BATCH), receivedAt));
  return events;
}
