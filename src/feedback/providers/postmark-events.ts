import { z } from 'zod';
import { classifyPermanent, classifyStatus, enhancedStatusIn, oneLine, type Classification } from '../classify.ts';
import type { FeedbackEvent } from '../feedback-event.ts';
import { parsePayload } from '../feedback-parse-error.ts';
import { headerMessageIdOf } from '../message-ref.ts';

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 timestamp');

const recordSchema = z.looseObject({ RecordType: z.string().min(1).optional(), Type: z.string().optional() });

const bounceSchema = z
  .looseObject({
    ID: z.union([z.number(), z.string().min(1)]),
    Type: z.string().min(1).optional(),
    TypeCode: z.number().optional(),
    Email: z.string().min(1),
    MessageID: z.string().nullish(),
    BouncedAt: timestamp,
    Details: z.string().nullish(),
    Description: z.string().nullish(),
  })
  .refine((b) => b.Type !== undefined || b.TypeCode !== undefined, 'Type or TypeCode is required');

const deliverySchema = z.looseObject({ MessageID: z.string().min(1), Recipient: z.string().min(1), DeliveredAt: timestamp, Details: z.string().nullish() });

const subscriptionChangeSchema = z.looseObject({
  MessageID: z.string().nullish(),
  Recipient: z.string().min(1),
  SuppressSending: z.boolean(),
  SuppressionReason: z.string().nullish(),
  Origin: z.string().nullish(),
  ChangedAt: timestamp,
});

const otherSchema = z.looseObject({
  MessageID: z.string().nullish(),
  Recipient: z.string().nullish(),
  Email: z.string().nullish(),
  ReceivedAt: z.string().nullish(),
});

const WHAT = 'Postmark webhook';

/** Postmark's bounce type codes ("Bounce API → bounce types"), for payloads that carry only TypeCode. */
const TYPE_BY_CODE: Record<number, string> = {
  1: 'HardBounce', 2: 'Transient', 16: 'Unsubscribe', 32: 'Subscribe', 64: 'AutoResponder', 128: 'AddressChange',
  256: 'DnsError', 512: 'SpamNotification', 1024: 'OpenRelayTest', 2048: 'Unknown', 4096: 'SoftBounce',
  8192: 'VirusNotification', 16384: 'ChallengeVerification', 100000: 'BadEmailAddress', 100001: 'SpamComplaint',
  100002: 'ManuallyDeactivated', 100003: 'Unconfirmed', 100006: 'Blocked', 100007: 'SMTPApiError',
  100008: 'InboundError', 100009: 'DMARCPolicy', 100010: 'TemplateRenderingFailed',
};

/**
 * Postmark bounce types → our meaning. Postmark has already read the bounce, so its type decides;
 * the SMTP details only refine a permanent one (classifyPermanent). Types not listed are ignored.
 */
function bounceMeaning(type: string, status: string | undefined, diagnostic: string | undefined): Classification {
  switch (type) {
    case 'HardBounce':
      return classifyPermanent({ statusCode: status, diagnostic });
    case 'BadEmailAddress':
      return { type: 'hard_bounce', detail: 'bad_address' };
    case 'Transient':
    case 'SoftBounce':
    case 'DnsError': {
      const c = classifyStatus({ statusCode: status, diagnostic });
      if (c.type === 'ignored' && c.detail !== 'unknown') return c;
      return { type: 'soft_bounce', detail: type === 'DnsError' ? 'dns' : (c.type === 'soft_bounce' ? c.detail : undefined) ?? 'temporary' };
    }
    case 'SpamComplaint':
      return { type: 'complaint' };
    // A recipient's "remove me" that Postmark recognised in a reply: honour it as an unsubscribe.
    case 'Unsubscribe':
      return { type: 'unsubscribe', detail: 'unsubscribe_request' };
    case 'SpamNotification':
    case 'Blocked':
    case 'DMARCPolicy':
      return { type: 'ignored', detail: 'policy' };
    case 'AutoResponder':
      return { type: 'ignored', detail: 'autoreply' };
    // Deactivated by the operator at Postmark, not by anything the recipient did.
    case 'ManuallyDeactivated':
      return { type: 'ignored', detail: 'manually_deactivated' };
    default:
      return { type: 'ignored', detail: `postmark_type:${type}` };
  }
}

function optional(event: FeedbackEvent, fields: Partial<Pick<FeedbackEvent, 'statusCode' | 'diagnostic' | 'detail'>>): FeedbackEvent {
  for (const [key, value] of Object.entries(fields) as [keyof typeof fields, string | undefined][]) if (value !== undefined) event[key] = value;
  return event;
}

function relayRef(messageId: string | null | undefined): FeedbackEvent['message'] {
  const relayMessageId = headerMessageIdOf(messageId);
  return relayMessageId === undefined ? {} : { relayMessageId };
}

/**
 * One Postmark webhook body (bounce, spam complaint, delivery, subscription change) → events.
 * Event ids: `postmark:<RecordType>:<ID>` where Postmark gives an ID; deliveries and subscription
 * changes have none, so the message id, recipient and time stand in for it.
 */
export function parsePostmarkWebhook(body: unknown, receivedAt: Date = new Date()): FeedbackEvent[] {
  const record = parsePayload(recordSchema, body, WHAT);
  // Bounce webhooks from before RecordType existed carry only Type.
  const recordType = record.RecordType ?? (record.Type !== undefined ? 'Bounce' : 'Unknown');
  const provider = 'postmark' as const;

  if (recordType === 'Bounce' || recordType === 'SpamComplaint') {
    const b = parsePayload(bounceSchema, body, `${WHAT} ${recordType}`);
    const type = b.Type ?? (b.TypeCode === undefined ? 'Unknown' : (TYPE_BY_CODE[b.TypeCode] ?? `code_${b.TypeCode}`));
    const diagnostic = oneLine(b.Details) ?? oneLine(b.Description);
    const statusCode = enhancedStatusIn(b.Details ?? undefined);
    const c: Classification = recordType === 'SpamComplaint' ? { type: 'complaint' } : bounceMeaning(type, statusCode, diagnostic);
    const event: FeedbackEvent = { type: c.type, address: b.Email, at: new Date(b.BouncedAt), provider, eventId: `postmark:${recordType}:${b.ID}`, message: relayRef(b.MessageID) };
    return [optional(event, { statusCode, diagnostic, detail: c.detail })];
  }
  if (recordType === 'Delivery') {
    const d = parsePayload(deliverySchema, body, `${WHAT} Delivery`);
    const event: FeedbackEvent = {
      type: 'delivered', address: d.Recipient, at: new Date(d.DeliveredAt), provider,
      eventId: `postmark:Delivery:${d.MessageID}:${d.Recipient}`, message: relayRef(d.MessageID),
    };
    return [optional(event, { diagnostic: oneLine(d.Details) })];
  }
  if (recordType === 'SubscriptionChange') {
    const s = parsePayload(subscriptionChangeSchema, body, `${WHAT} SubscriptionChange`);
    const event: FeedbackEvent = {
      type: 'ignored', address: s.Recipient, at: new Date(s.ChangedAt), provider,
      eventId: `postmark:SubscriptionChange:${s.MessageID ?? '-'}:${s.Recipient}:${s.ChangedAt}`, message: relayRef(s.MessageID),
    };
    return [optional(event, subscriptionChangeMeaning(s))];
  }
  const o = parsePayload(otherSchema, body, WHAT);
  const at = o.ReceivedAt && !Number.isNaN(Date.parse(o.ReceivedAt)) ? new Date(o.ReceivedAt) : receivedAt;
  const address = o.Recipient ?? o.Email ?? undefined;
  const eventId = `postmark:${recordType}:${o.MessageID ?? '-'}:${address ?? '-'}:${o.ReceivedAt ?? at.toISOString()}`;
  return [{ type: 'ignored', address, at, provider, eventId, detail: `unknown_event:${recordType}`, message: relayRef(o.MessageID) }];
}

/**
 * Subscription changes: a suppression the recipient made (Origin Recipient, reason ManualSuppression:
 * they unsubscribed) is an unsubscribe. Postmark sends bounces and complaints of Broadcast streams
 * only this way (its Bounce and SpamComplaint webhooks serve Transactional streams), so those
 * reasons are taken as hard bounces and complaints too. Reactivations are ignored: we do not
 * re-subscribe anyone on a provider's word.
 */
function subscriptionChangeMeaning(s: z.output<typeof subscriptionChangeSchema>): Pick<FeedbackEvent, 'type' | 'detail'> {
  if (!s.SuppressSending) return { type: 'ignored', detail: 'reactivated' };
  switch (s.SuppressionReason) {
    case 'ManualSuppression':
      return s.Origin === 'Recipient' ? { type: 'unsubscribe' } : { type: 'ignored', detail: `manual_suppression:${s.Origin ?? 'unknown'}` };
    case 'HardBounce':
      return { type: 'hard_bounce', detail: 'postmark_suppression' };
    case 'SpamComplaint':
      return { type: 'complaint', detail: 'postmark_suppression' };
    default:
      return { type: 'ignored', detail: `suppression:${s.SuppressionReason ?? 'unknown'}` };
  }
}
