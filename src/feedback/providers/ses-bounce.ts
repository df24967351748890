import { classifyPermanent, classifyStatus, oneLine, type Classification } from '../classify.ts';
import type { FeedbackEvent } from '../feedback-event.ts';
import { derivedEventId, unreadable, type SesContext } from './ses-context.ts';
import { addressOf, bounceSchema, delaySchema, readEntries, recipientSchema, timeOf, type SesRecipient } from './ses-fields.ts';

/** Subtypes of a Transient bounce that are about our message, not the mailbox (SES "notification contents"). */
const TRANSIENT_IGNORED: Record<string, string> = {
  MessageTooLarge: 'message_size',
  ContentRejected: 'content_rejected',
  AttachmentRejected: 'attachment_rejected',
};

/** Permanent subtypes that say SES did not even try: the address is on a suppression list of SES's. */
const SUPPRESSED = new Set(['Suppressed', 'OnAccountSuppressionList']);

/**
 * One recipient of a bounce (docs/feedback-verdicts-draft.md, SES): SES's verdict decides, and the
 * recipient's own status only refines it toward "not the recipient's fault" (policy, sender-side,
 * size). A recipient SES is still trying (action delayed) is delayed whatever the verdict.
 */
export function bounceVerdict(bounceType: string, subType: string | undefined, r: Pick<SesRecipient, 'action' | 'status' | 'diagnosticCode'>): Classification {
  if (r.action?.trim().toLowerCase() === 'delayed') return { type: 'delayed' };
  const input = { statusCode: r.status, diagnostic: r.diagnosticCode };
  if (bounceType === 'Permanent') {
    if (subType !== undefined && SUPPRESSED.has(subType)) return { type: 'hard_bounce', detail: subType };
    return classifyPermanent(input, subType);
  }
  if (bounceType === 'Transient') {
    const ignored = subType === undefined ? undefined : TRANSIENT_IGNORED[subType];
    if (ignored !== undefined) return { type: 'ignored', detail: ignored };
    // SES has stopped retrying: a final soft bounce, unless the status shows a policy or sender-side block.
    const c = classifyStatus({ ...input, action: undefined });
    if (c.type === 'ignored' && c.detail !== 'unknown') return c;
    return { type: 'soft_bounce', detail: (c.type === 'soft_bounce' ? c.detail : undefined) ?? subType ?? 'General' };
  }
  return { type: 'ignored', detail: bounceType === 'Undetermined' ? 'undetermined' : `undetermined:${bounceType}` };
}

interface Recipient extends SesRecipient {
  address: string;
}

const recipientOf = (entry: unknown): Recipient | undefined => {
  const r = recipientSchema.safeParse(entry);
  const address = r.success ? addressOf(r.data.emailAddress) : undefined;
  return r.success && address !== undefined ? { ...r.data, address } : undefined;
};

function withDsn(event: FeedbackEvent, r: Recipient): FeedbackEvent {
  const status = r.status?.trim();
  const diagnostic = oneLine(r.diagnosticCode);
  if (status) event.statusCode = status;
  if (diagnostic !== undefined) event.diagnostic = diagnostic;
  return event;
}

/** Each recipient that cannot be read is kept with the notification, once. */
function withUnread(events: FeedbackEvent[], unread: number, ctx: SesContext, what: string): FeedbackEvent[] {
  return unread === 0 ? events : [...events, unreadable(ctx, `${what}:${unread}_unreadable`)];
}

/** A Bounce: one event per bounced recipient. */
export function bounceEvents(value: unknown, ctx: SesContext): FeedbackEvent[] {
  const parsed = bounceSchema.safeParse(value);
  if (!parsed.success) return [unreadable(ctx, 'bounce')];
  const bounce = parsed.data;
  const bounceType = bounce.bounceType;
  if (bounceType === undefined) return [unreadable(ctx, 'bounce_type')];
  const { read, unread } = readEntries(bounce.bouncedRecipients, recipientOf);
  if (read.length === 0) return [unreadable(ctx, 'bounced_recipients')];
  const at = timeOf(bounce.timestamp) ?? ctx.at;
  const events = read.map((r) => {
    const c = bounceVerdict(bounceType, bounce.bounceSubType, r);
    const eventId = bounce.feedbackId ? `${bounce.feedbackId}:${r.address}` : derivedEventId(ctx, r.address, bounce.timestamp);
    const event: FeedbackEvent = { provider: 'ses', type: c.type, address: r.address, at, eventId, message: ctx.message };
    if (c.detail !== undefined) event.detail = c.detail;
    return withDsn(event, r);
  });
  return withUnread(events, unread, ctx, 'bounced_recipients');
}

/** A DeliveryDelay (event publishing): SES is still trying, so each recipient is delayed, never bounced. */
export function delayEvents(value: unknown, ctx: SesContext): FeedbackEvent[] {
  const parsed = delaySchema.safeParse(value);
  if (!parsed.success) return [unreadable(ctx, 'delivery_delay')];
  const delay = parsed.data;
  const { read, unread } = readEntries(delay.delayedRecipients, recipientOf);
  if (read.length === 0) return [unreadable(ctx, 'delayed_recipients')];
  const at = timeOf(delay.timestamp) ?? ctx.at;
  const events = read.map((r) => {
    const event: FeedbackEvent = { provider: 'ses', type: 'delayed', address: r.address, at, eventId: derivedEventId(ctx, r.address, delay.timestamp), message: ctx.message };
    if (delay.delayType !== undefined) event.detail = delay.delayType;
    return withDsn(event, r);
  });
  return withUnread(events, unread, ctx, 'delayed_recipients');
}
