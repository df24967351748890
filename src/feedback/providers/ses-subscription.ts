import type { FeedbackEvent } from '../feedback-event.ts';
import { derivedEventId, ignoredEvent, unreadable, type SesContext } from './ses-context.ts';
import { readEntries, subscriptionSchema, timeOf, topicSchema } from './ses-fields.ts';

interface Topic {
  name: string | undefined;
  optedOut: boolean;
}

const topicOf = (entry: unknown): Topic | undefined => {
  const t = topicSchema.safeParse(entry);
  // Event records say "OptOut"; the SES API says "OPT_OUT".
  return t.success ? { name: t.data.topicName, optedOut: t.data.subscriptionStatus?.replaceAll('_', '').toLowerCase() === 'optout' } : undefined;
};

/**
 * A Subscription event (SES list management, event publishing): the recipient unsubscribed through
 * SES's List-Unsubscribe header or its preference page. `newTopicPreferences.unsubscribeAll` is an
 * unsubscribe from all marketing, whichever message it came from. A topic that became OptOut is an
 * unsubscribe from that topic: mailgate has no SES topics, so the topic name is passed on as the
 * subscription type, and ApplyFeedback opts out of all marketing when no type has that id. An
 * opt-in changes nothing: consent comes back only through mailgate's own pages.
 */
export function subscriptionEvents(value: unknown, ctx: SesContext): FeedbackEvent[] {
  const parsed = subscriptionSchema.safeParse(value);
  if (!parsed.success || parsed.data.newTopicPreferences === undefined) return [unreadable(ctx, 'subscription')];
  const { newTopicPreferences: after, oldTopicPreferences: before, timestamp } = parsed.data;
  // The record names no recipient: the message's is the one. With several, whose choice it was
  // cannot be told, and unsubscribing the others would be wrong: kept for the operator instead.
  const [address, ...others] = ctx.destination;
  if (address === undefined || others.length > 0) return [unreadable(ctx, 'subscription_recipient')];
  const at = timeOf(timestamp) ?? ctx.at;
  /** From one topic (its name as the type), or from all marketing (`scope: 'all'`, whatever message it names). */
  const unsubscribe = (subscriptionType: string | undefined, detail: string): FeedbackEvent => ({
    provider: 'ses',
    type: 'unsubscribe',
    address,
    at,
    eventId: derivedEventId(ctx, address, timestamp, subscriptionType ?? '*'),
    ...(subscriptionType === undefined ? { scope: 'all' as const } : { subscriptionType }),
    detail,
    message: ctx.message,
  });
  if (after.unsubscribeAll === true) return [unsubscribe(undefined, 'unsubscribe_all')];
  const wasOut = new Set(readEntries(before?.topicSubscriptionStatus, topicOf).read.filter((t) => t.optedOut).map((t) => t.name));
  const newlyOut = readEntries(after.topicSubscriptionStatus, topicOf).read.filter((t) => t.optedOut && !wasOut.has(t.name));
  if (newlyOut.length === 0) return [ignoredEvent(ctx, 'no_opt_out', address)];
  // A topic whose name cannot be read: the least the recipient asked for is unknown, so all of it.
  return [...new Set(newlyOut.map((t) => t.name))].map((type) => unsubscribe(type, 'topic_opt_out'));
}
