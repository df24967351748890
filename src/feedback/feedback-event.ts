import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What a piece of relay feedback means for the recipient address (docs/feedback.md). `delayed` is a
 * warning while the relay keeps trying (a DSN with Action: delayed, SES DeliveryDelay, SendGrid
 * deferred, a Mailgun temporary failure): it is recorded on the message and never counted as a
 * soft bounce; only a final failure is. See docs/feedback.md.
 */
export const FEEDBACK_TYPES = ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe', 'delayed', 'delivered', 'ignored'] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];

export const FEEDBACK_PROVIDERS = ['ses', 'postmark', 'sendgrid', 'mailgun', 'smtp', 'dsn', 'arf', 'api'] as const;
/** Where the feedback came from: a relay's webhook, the worker's own SMTP reply, or bounce/complaint mail. */
export type FeedbackProvider = (typeof FEEDBACK_PROVIDERS)[number];

/**
 * Who is believed about whom (docs/feedback.md): an authenticated relay, the API key and the worker's
 * own SMTP conversation may speak for any address. Bounce mail (`dsn`) and feedback-loop mail
 * (`arf`) is not authenticated: it is believed only about the recipient of the message it proves
 * (report-proof.ts), never about an address it merely names.
 */
export function believedAboutAnyAddress(provider: FeedbackProvider): boolean {
  return provider !== 'dsn' && provider !== 'arf';
}

/** How a feedback event names the message it is about; any of these may be missing. */
export interface MessageRef {
  /** mailgate's message id (from the VERP address or our Message-ID header). */
  messageId?: string;
  /** The RFC 5322 Message-ID header value of the original message, without angle brackets. */
  headerMessageId?: string;
  /** The relay's own id for the message (SES messageId, Postmark MessageID, SendGrid sg_message_id prefix, Mailgun storage id). */
  relayMessageId?: string;
}

/** One normalized feedback event: one address, one meaning. A provider payload may yield many. */
export interface FeedbackEvent {
  type: FeedbackType;
  /** The recipient address as reported (not yet normalized); may be absent for redacted ARF reports. */
  address: string | undefined;
  at: Date;
  provider: FeedbackProvider;
  /** Unique per provider and recipient: replays of the same event carry the same id. */
  eventId: string;
  /** RFC 3463 enhanced status (e.g. "5.1.1") when known. */
  statusCode?: string;
  /** The remote server's diagnostic or the provider's description, one line, at most 500 chars. */
  diagnostic?: string;
  /**
   * Why `ignored` (e.g. "sender_side", "policy", "unknown_event:open"), or a sub-type worth keeping.
   * For `ignored`, the part before the first ':' is the reason it is counted under
   * (`mailgate_feedback_ignored_total{provider,reason}`): keep that part to a small fixed vocabulary.
   */
  detail?: string;
  /**
   * The vendor's event as received (JSON, at most RAW_LIMIT characters), only on an `ignored` event
   * that could not be read: it is kept for MESSAGE_RETENTION_DAYS so an operator can look at it.
   */
  raw?: string;
  /**
   * For `unsubscribe`: the subscription type, when the provider names one. Absent: the type of the
   * marketing message the event names, or all marketing when it names none (apply-feedback.ts).
   */
  subscriptionType?: string;
  /**
   * For `unsubscribe`: `all` when the provider says the recipient left everything (SendGrid
   * `unsubscribe`, Mailgun `tags: ["*"]`): all marketing, whatever message the event names.
   */
  scope?: 'all';
  message: MessageRef;
}

/** At most this much of an unreadable event is kept (`FeedbackEvent.raw`). */
export const RAW_LIMIT = 8 * 1024;

/**
 * The event a receiver makes of a vendor event it cannot read (an unexpected shape, no usable
 * address): ignored, counted under `unreadable`, and kept raw for the operator. Its id is derived
 * from the content, so a retried delivery of the same body finds its first copy.
 */
export function unreadableEvent(provider: FeedbackProvider, why: string, raw: unknown, at: Date, eventId?: string): FeedbackEvent {
  const text = (typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw))).slice(0, RAW_LIMIT);
  return {
    type: 'ignored',
    address: undefined,
    at,
    provider,
    eventId: eventId ?? `unreadable:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`,
    detail: `unreadable:${why}`.slice(0, 200),
    raw: text,
    message: {},
  };
}

/** The reason an ignored event is counted under: the detail's first segment, from a small vocabulary. */
export function ignoredReason(detail: string | undefined): string {
  const head = (detail ?? 'unknown').split(':', 1)[0] ?? 'unknown';
  return /^[a-z][a-z0-9_]{0,39}$/.test(head) ? head : 'other';
}

/** The generic `POST /v1/feedback` body (docs/feedback.md, for every other source). */
export const genericFeedbackSchema = z.strictObject({
  address: z.string().min(3).max(320),
  type: z.enum(['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe']),
  messageId: z.string().min(1).max(100).optional(),
  detail: z.string().max(1000).optional(),
  eventId: z.string().min(1).max(200).optional(),
});
export type GenericFeedback = z.infer<typeof genericFeedbackSchema>;
