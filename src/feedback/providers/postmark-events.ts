import { z } from 'zod';
import { enhancedStatusIn, oneLine } from '../classify.ts';
import type { FeedbackEvent, MessageRef } from '../feedback-event.ts';
import { headerMessageIdOf } from '../message-ref.ts';
import { postmarkBounceMeaning } from './postmark-bounce-types.ts';
import { dateOfIso, idField, idParts, ignoredDetail, isRecord, lenient, recipientAddress, text, unreadable } from './relay-fields.ts';
import { relayEvent, type EventBase, type Verdict } from './relay-verdicts.ts';

// The fields mailgate uses, each read on its own (relay-fields.ts): any other field, or one of an
// unexpected shape, is left alone. Addresses and times are read by relay-fields' readers.
const bounceSchema = z.looseObject({
  ID: idField,
  Type: text,
  TypeCode: lenient(z.number().int()),
  MessageID: text,
  Details: text,
  Description: text,
});
const deliverySchema = z.looseObject({ MessageID: text, Details: text });
const subscriptionChangeSchema = z.looseObject({
  MessageID: text,
  SuppressSending: lenient(z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')])),
  SuppressionReason: text,
  Origin: text,
});
const otherSchema = z.looseObject({ MessageID: text });

const PROVIDER = 'postmark' as const;

/**
 * What kind of record a body is. `RecordType` says so since 2019; older bounce, delivery and open
 * bodies lack it and are known by their fields. Inbound-mail bodies (a webhook pointed at the
 * wrong URL) have `FromFull`.
 */
function recordTypeOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.RecordType === 'string' && body.RecordType !== '') return body.RecordType.slice(0, 100);
  if (('Type' in body || 'TypeCode' in body) && ('Email' in body || 'BouncedAt' in body)) return 'Bounce';
  if ('DeliveredAt' in body && 'Recipient' in body) return 'Delivery';
  if ('FirstOpen' in body) return 'Open';
  if ('FromFull' in body || 'ToFull' in body) return 'Inbound';
  return undefined;
}

function relayRef(messageId: string | undefined): MessageRef {
  const relayMessageId = headerMessageIdOf(messageId);
  return relayMessageId === undefined ? {} : { relayMessageId };
}

/**
 * Bounce and spam-complaint records. Event id `postmark:<RecordType>:<ID>`; an ID past 2^53 has
 * lost digits in JSON.parse, so the message, recipient and time are added to keep two such
 * records apart; a record without ID is known by those alone.
 */
function bounceEvent(body: Record<string, unknown>, recordType: string, receivedAt: Date): FeedbackEvent {
  const b = bounceSchema.parse(body);
  const id = typeof b.ID === 'number' && !Number.isSafeInteger(b.ID) ? undefined : b.ID;
  const eventId = id !== undefined ? `postmark:${recordType}:${String(id).slice(0, 200)}` : `postmark:${recordType}:${idParts(b.ID, b.MessageID, recipientText(body.Email), textOf(body.BouncedAt))}`;
  const base: EventBase = { address: recipientAddress(body.Email), at: dateOfIso(body.BouncedAt) ?? receivedAt, provider: PROVIDER, eventId, message: relayRef(b.MessageID) };
  // The details are read whole (a multi-line reply keeps its codes); stored as one line.
  const status = { diagnostic: b.Details };
  const verdict: Verdict = recordType === 'SpamComplaint' ? { type: 'complaint' } : postmarkBounceMeaning(b.Type, b.TypeCode, status);
  const what = b.Type ?? (b.TypeCode === undefined ? recordType : `TypeCode ${b.TypeCode}`);
  return relayEvent(base, verdict, what, { statusCode: enhancedStatusIn(b.Details), diagnostic: oneLine(b.Details) ?? oneLine(b.Description) });
}

function deliveryEvent(body: Record<string, unknown>, receivedAt: Date): FeedbackEvent {
  const d = deliverySchema.parse(body);
  const recipient = recipientText(body.Recipient);
  const eventId = d.MessageID === undefined ? `postmark:Delivery:${idParts(d.MessageID, recipient, textOf(body.DeliveredAt))}` : `postmark:Delivery:${idParts(d.MessageID, recipient)}`;
  const base: EventBase = { address: recipientAddress(body.Recipient), at: dateOfIso(body.DeliveredAt) ?? receivedAt, provider: PROVIDER, eventId, message: relayRef(d.MessageID) };
  return relayEvent(base, { type: 'delivered' }, 'Delivery', { diagnostic: oneLine(d.Details) });
}

/**
 * Subscription changes. `SuppressSending: true`: `SuppressionReason` says what happened —
 * ManualSuppression by the recipient is an unsubscribe (that message's type); HardBounce and
 * SpamComplaint are Postmark's bounces and complaints of Broadcast streams, which have no bounce
 * webhook. A manual suppression by the account (Origin Customer or Admin) is the operator's act,
 * not the recipient's: ignored. `SuppressSending: false` is a reactivation: ignored, since consent
 * comes back only through mailgate's own pages.
 */
function subscriptionChangeEvent(body: Record<string, unknown>, receivedAt: Date): FeedbackEvent {
  const s = subscriptionChangeSchema.parse(body);
  if (s.SuppressSending === undefined) return unreadable(PROVIDER, 'SubscriptionChange without SuppressSending', body, receivedAt);
  const eventId = `postmark:SubscriptionChange:${idParts(s.MessageID, recipientText(body.Recipient), textOf(body.ChangedAt))}`;
  const base: EventBase = { address: recipientAddress(body.Recipient), at: dateOfIso(body.ChangedAt) ?? receivedAt, provider: PROVIDER, eventId, message: relayRef(s.MessageID) };
  return relayEvent(base, subscriptionChangeVerdict(s), 'SubscriptionChange');
}

function subscriptionChangeVerdict(s: z.output<typeof subscriptionChangeSchema>): Verdict {
  if (!s.SuppressSending) return { type: 'ignored', detail: ignoredDetail('reactivated') };
  switch (s.SuppressionReason) {
    case 'ManualSuppression':
      // Postmark names Recipient, Customer or Admin; without one, the unsubscribe is honoured: one too
      // many is undone by the recipient's own page, a lost one is mail sent against their wish.
      return s.Origin === undefined || s.Origin === 'Recipient' ? { type: 'unsubscribe' } : { type: 'ignored', detail: ignoredDetail('operator', s.Origin) };
    case 'HardBounce':
      return { type: 'hard_bounce', detail: 'postmark_suppression' };
    case 'SpamComplaint':
      return { type: 'complaint', detail: 'postmark_suppression' };
    default:
      return { type: 'ignored', detail: ignoredDetail('unknown', `SuppressionReason ${s.SuppressionReason ?? 'none'}`) };
  }
}

/** Opens, clicks, inbound mail and record types mailgate does not know: answered, counted, never acted on. */
function otherEvent(body: Record<string, unknown>, recordType: string, receivedAt: Date): FeedbackEvent {
  const o = otherSchema.parse(body);
  const address = recipientAddress(body.Recipient) ?? recipientAddress(body.Email);
  const at = dateOfIso(body.ReceivedAt) ?? receivedAt;
  const eventId = `postmark:${recordType}:${idParts(o.MessageID, address, textOf(body.ReceivedAt))}`;
  const detail =
    recordType === 'Open' || recordType === 'Click'
      ? ignoredDetail('engagement', recordType)
      : recordType === 'Inbound'
        ? ignoredDetail('not_feedback', 'inbound')
        : ignoredDetail('unknown_event', recordType);
  // Inbound mail names its senders and recipients, none of whom the feedback is about.
  return { type: 'ignored', address: recordType === 'Inbound' ? undefined : address, at, provider: PROVIDER, eventId, detail, message: relayRef(o.MessageID) };
}

const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const recipientText = (value: unknown): string | undefined => recipientAddress(value) ?? textOf(value);

/**
 * One Postmark webhook body (bounce, spam complaint, delivery, subscription change, open, click)
 * → one event. Never throws: a body that is not a record of any kind is kept as unreadable.
 */
export function parsePostmarkWebhook(body: unknown, receivedAt: Date = new Date()): FeedbackEvent[] {
  if (!isRecord(body)) return [unreadable(PROVIDER, 'not a JSON object', body, receivedAt)];
  const recordType = recordTypeOf(body);
  if (recordType === undefined) return [unreadable(PROVIDER, 'no RecordType, and not a known record', body, receivedAt)];
  switch (recordType) {
    case 'Bounce':
    case 'SpamComplaint':
      return [bounceEvent(body, recordType, receivedAt)];
    case 'Delivery':
      return [deliveryEvent(body, receivedAt)];
    case 'SubscriptionChange':
      return [subscriptionChangeEvent(body, receivedAt)];
    default:
      return [otherEvent(body, recordType, receivedAt)];
  }
}
