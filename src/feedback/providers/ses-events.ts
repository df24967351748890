import { oneLine } from '../classify.ts';
import { RAW_LIMIT, type FeedbackEvent } from '../feedback-event.ts';
import { bounceEvents, delayEvents } from './ses-bounce.ts';
import { derivedEventId, ignoredEvent, ignoredPerDestination, unreadable, type SesContext } from './ses-context.ts';
import { subscriptionEvents } from './ses-subscription.ts';
import { addressOf, complaintSchema, deliverySchema, destinationOf, digestOf, messageRefOf, notificationSchema, rawText, readEntries, timeOf } from './ses-fields.ts';

export interface SesParseOptions {
  /** When SNS published the notification: the time of an event that carries none. Default: now. */
  at?: Date;
}

/** The test message SES publishes once to a new event destination's topic (plain text, not JSON). */
const TOPIC_VALIDATED = 'successfully validated sns topic';

/**
 * The SES notification in an SNS Notification's `Message` (a string, already parsed, or inside a
 * whole SNS envelope) → one event per recipient. Reads tolerantly (docs/feedback-verdicts-draft.md):
 * the sender is authenticated before this runs (verify/sns-signature.ts), so nothing here is
 * refused. What is not acted on is an `ignored` event with its reason (ses-context.ts); what cannot
 * be read is kept raw for the operator (unreadableEvent). Never throws, whatever the input.
 */
export function parseSesNotification(input: unknown, options: SesParseOptions = {}): FeedbackEvent[] {
  return read(input, options.at ?? new Date(), true);
}

interface SnsEnvelope {
  Type: string;
  Message: unknown;
  Timestamp?: unknown;
}

function snsEnvelopeOf(value: unknown): SnsEnvelope | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Partial<SnsEnvelope>;
  return typeof v.Type === 'string' && 'Message' in v ? (v as SnsEnvelope) : undefined;
}

/** A context for what is read before the notification is: no message, no recipients. */
function bare(raw: string, at: Date): SesContext {
  return { kind: 'sns', message: {}, stem: digestOf(raw), destination: [], at, raw };
}

/** Text or a value; an SNS envelope around it is opened once (its Message is never taken for another). */
function read(input: unknown, at: Date, mayBeEnvelope: boolean): FeedbackEvent[] {
  const raw = rawText(input);
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch {
      const ctx = bare(raw, at);
      if (input.trimStart().slice(0, TOPIC_VALIDATED.length).toLowerCase() === TOPIC_VALIDATED) return [ignoredEvent(ctx, 'topic_validated')];
      return [unreadable(ctx, 'not_json')];
    }
  }
  const envelope = mayBeEnvelope ? snsEnvelopeOf(value) : undefined;
  if (envelope === undefined) return readNotification(value, raw, at);
  const published = timeOf(typeof envelope.Timestamp === 'string' ? envelope.Timestamp.slice(0, 64) : undefined) ?? at;
  if (envelope.Type !== 'Notification') return [ignoredEvent(bare(raw, published), 'sns_control', undefined, envelope.Type.slice(0, 40))];
  return read(envelope.Message, published, false);
}

function readNotification(value: unknown, raw: string, fallbackAt: Date): FeedbackEvent[] {
  const parsed = notificationSchema.safeParse(value);
  if (!parsed.success) return [unreadable(bare(raw, fallbackAt), 'not_an_object')];
  const n = parsed.data;
  const kind = n.notificationType ?? n.eventType;
  // JSON of an unexpected shape: ignored under its own reason, and kept raw for the operator.
  if (kind === undefined) return [{ ...ignoredEvent(bare(raw, fallbackAt), 'not_ses_event'), raw: raw.slice(0, RAW_LIMIT) }];
  const ctx: SesContext = {
    kind,
    message: messageRefOf(n.mail),
    stem: n.mail?.messageId || digestOf(raw),
    destination: destinationOf(n.mail),
    at: timeOf(n.mail?.timestamp) ?? fallbackAt,
    raw,
  };
  switch (kind) {
    case 'Bounce':
      return bounceEvents(n.bounce, ctx);
    case 'Complaint':
      return complaintEvents(n.complaint, ctx);
    case 'Delivery':
      return deliveryEvents(n.delivery, ctx);
    case 'DeliveryDelay':
      return delayEvents(n.deliveryDelay, ctx);
    case 'Subscription':
      return subscriptionEvents(n.subscription, ctx);
    case 'Received':
      // Inbound mail (a receipt rule's notification): not about mail we sent. The topic is misrouted.
      return [ignoredEvent(ctx, 'not_feedback', undefined, kind)];
    case 'Send':
    case 'Open':
    case 'Click':
      return ignoredPerDestination(ctx, 'engagement', kind);
    case 'Reject':
      return ignoredPerDestination(ctx, 'rejected');
    case 'Rendering Failure':
      return ignoredPerDestination(ctx, 'rendering_failure');
    default:
      return [ignoredEvent(ctx, 'unknown_event', undefined, kind)];
  }
}

/** A Complaint: one per complained recipient, with or without a feedback report. */
function complaintEvents(value: unknown, ctx: SesContext): FeedbackEvent[] {
  const parsed = complaintSchema.safeParse(value);
  if (!parsed.success) return [unreadable(ctx, 'complaint')];
  const complaint = parsed.data;
  const { read, unread } = readEntries(complaint.complainedRecipients, addressOf);
  if (read.length === 0) return [unreadable(ctx, 'complained_recipients')];
  const at = timeOf(complaint.timestamp) ?? ctx.at;
  // A recipient who says "this is not spam" withdraws nothing we hold, and asks for nothing.
  const notSpam = complaint.complaintFeedbackType?.toLowerCase() === 'not-spam';
  const detail = notSpam ? 'not_spam' : (complaint.complaintFeedbackType ?? complaint.complaintSubType);
  const events = read.map((address): FeedbackEvent => ({
    provider: 'ses',
    type: notSpam ? 'ignored' : 'complaint',
    address,
    at,
    eventId: complaint.feedbackId ? `${complaint.feedbackId}:${address}` : derivedEventId(ctx, address, complaint.timestamp),
    ...(detail === undefined ? {} : { detail }),
    message: ctx.message,
  }));
  return unread === 0 ? events : [...events, unreadable(ctx, `complained_recipients:${unread}_unreadable`)];
}

/** A Delivery: delivered per recipient (it ends a run of soft bounces). */
function deliveryEvents(value: unknown, ctx: SesContext): FeedbackEvent[] {
  const parsed = deliverySchema.safeParse(value);
  if (!parsed.success) return [unreadable(ctx, 'delivery')];
  const delivery = parsed.data;
  const { read, unread } = readEntries(delivery.recipients, addressOf);
  if (read.length === 0) return [unreadable(ctx, 'delivery_recipients')];
  const at = timeOf(delivery.timestamp) ?? ctx.at;
  const diagnostic = oneLine(delivery.smtpResponse);
  const events = read.map((address): FeedbackEvent => ({
    provider: 'ses',
    type: 'delivered',
    address,
    at,
    // A message is delivered to a recipient once: no time in the id.
    eventId: derivedEventId(ctx, address),
    ...(diagnostic === undefined ? {} : { diagnostic }),
    message: ctx.message,
  }));
  return unread === 0 ? events : [...events, unreadable(ctx, `delivery_recipients:${unread}_unreadable`)];
}
