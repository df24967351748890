import { unreadableEvent, type FeedbackEvent, type MessageRef } from '../feedback-event.ts';

/**
 * Why an SES event is not acted on: the first segment of an ignored event's `detail`, counted as
 * `mailgate_feedback_ignored_total{reason}` (a small fixed vocabulary, lowercase snake_case).
 * Policy and sender-side reasons come from classify.ts; `unreadable` from unreadableEvent.
 */
export type SesIgnoredReason =
  | 'sns_control' // SNS subscription and unsubscribe confirmations handed to the parser
  | 'topic_validated' // "Successfully validated SNS topic for Amazon SES event publishing."
  | 'not_ses_event' // JSON on the topic that is not an SES notification
  | 'not_feedback' // inbound mail (Received): the topic is misrouted
  | 'engagement' // Send, Open, Click
  | 'rejected' // SES refused to send it (virus, bad content): ours to fix
  | 'rendering_failure' // the template failed on our side; nothing was sent
  | 'unknown_event'
  | 'undetermined' // SES could not tell why it bounced
  | 'message_size'
  | 'content_rejected'
  | 'attachment_rejected'
  | 'not_spam'
  | 'no_opt_out'; // a subscription change that unsubscribes from nothing

/** What every reader of one SES notification needs to know about it. */
export interface SesContext {
  /** notificationType or eventType, as SES spells it. */
  kind: string;
  message: MessageRef;
  /** SES's message id, or a digest of the notification when it has none: the stem of derived event ids. */
  stem: string;
  /** mail.destination, as bare addresses: only for events that name no recipient of their own. */
  destination: string[];
  /** When it happened, for events that carry no time of their own. */
  at: Date;
  /** The notification as received, kept when part of it cannot be read. */
  raw: string;
}

/**
 * An id for an event SES gave none (deliveries, delays, subscription changes, trimmed replays):
 * built from what SES sends again unchanged on every retry, never from the time of receipt.
 */
export function derivedEventId(ctx: SesContext, address: string | undefined, ...parts: (string | undefined)[]): string {
  return [ctx.stem, ctx.kind.replaceAll(' ', '_').toLowerCase(), address, ...parts].filter((p) => p !== undefined && p !== '').join(':');
}

/** An event that changes nothing: counted under its reason. */
export function ignoredEvent(ctx: SesContext, reason: SesIgnoredReason, address?: string, why?: string): FeedbackEvent {
  return {
    provider: 'ses',
    type: 'ignored',
    address,
    at: ctx.at,
    eventId: derivedEventId(ctx, address),
    detail: why === undefined ? reason : `${reason}:${why}`.slice(0, 200),
    message: ctx.message,
  };
}

/** One ignored event per recipient the message went to (one without an address when none can be read). */
export function ignoredPerDestination(ctx: SesContext, reason: SesIgnoredReason, why?: string): FeedbackEvent[] {
  if (ctx.destination.length === 0) return [ignoredEvent(ctx, reason, undefined, why)];
  return ctx.destination.map((address) => ignoredEvent(ctx, reason, address, why));
}

/** What cannot be read: ignored, and the notification kept raw for the operator. */
export function unreadable(ctx: Pick<SesContext, 'raw' | 'at'>, why: string): FeedbackEvent {
  return unreadableEvent('ses', why, ctx.raw, ctx.at);
}
