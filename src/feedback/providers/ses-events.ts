import { z } from 'zod';
import { classifyPermanent, classifyStatus, oneLine, type Classification } from '../classify.ts';
import type { FeedbackEvent, MessageRef } from '../feedback-event.ts';
import { parseJson, parsePayload } from '../feedback-parse-error.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId } from '../message-ref.ts';

// Loose objects throughout: SES documents that it adds fields to notifications over time.
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 timestamp');

const mailSchema = z.looseObject({
  messageId: z.string().min(1),
  timestamp,
  headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  commonHeaders: z.looseObject({ messageId: z.string().optional() }).optional(),
});

const bounceSchema = z.looseObject({
  bounceType: z.string().min(1),
  bounceSubType: z.string().optional(),
  feedbackId: z.string().min(1),
  timestamp,
  bouncedRecipients: z
    .array(
      z.looseObject({
        emailAddress: z.string().min(1),
        action: z.string().optional(),
        status: z.string().optional(),
        diagnosticCode: z.string().optional(),
      }),
    )
    .min(1),
});

const complaintSchema = z.looseObject({
  feedbackId: z.string().min(1),
  timestamp,
  complaintFeedbackType: z.string().optional(),
  complaintSubType: z.string().nullish(),
  complainedRecipients: z.array(z.looseObject({ emailAddress: z.string().min(1) })).min(1),
});

const deliverySchema = z.looseObject({
  timestamp,
  recipients: z.array(z.string().min(1)).min(1),
  smtpResponse: z.string().optional(),
});

const notificationSchema = z
  .looseObject({
    notificationType: z.string().min(1).optional(),
    eventType: z.string().min(1).optional(),
    mail: mailSchema,
  })
  .refine((n) => n.notificationType !== undefined || n.eventType !== undefined, 'notificationType or eventType is required');

const WHAT = 'SES notification';

/** Subtypes of a Transient bounce that say nothing about the mailbox (SES "notification contents"). */
const TRANSIENT_IGNORED: Record<string, string> = {
  MessageTooLarge: 'message_size',
  ContentRejected: 'content_rejected',
  AttachmentRejected: 'attachment_rejected',
};

function messageRef(mail: z.output<typeof mailSchema>): MessageRef {
  const fromHeaders = mail.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value;
  const headerMessageId = headerMessageIdOf(mail.commonHeaders?.messageId ?? fromHeaders);
  const messageId = mailgateIdFromHeaderMessageId(headerMessageId);
  return {
    relayMessageId: mail.messageId,
    ...(headerMessageId === undefined ? {} : { headerMessageId }),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

function bounceClassification(bounceType: string, subType: string | undefined, status: string | undefined, diagnostic: string | undefined): Classification {
  const input = { statusCode: status, diagnostic };
  if (bounceType === 'Permanent') return classifyPermanent(input, subType);
  if (bounceType === 'Transient') {
    const ignored = subType === undefined ? undefined : TRANSIENT_IGNORED[subType];
    if (ignored !== undefined) return { type: 'ignored', detail: ignored };
    // SES has stopped retrying; the recipient's status may still show it was a policy block.
    const c = classifyStatus(input);
    if (c.type === 'ignored' && c.detail !== 'unknown') return c;
    return { type: 'soft_bounce', detail: (c.type === 'soft_bounce' ? c.detail : undefined) ?? subType ?? 'General' };
  }
  return { type: 'ignored', detail: 'undetermined' };
}

function withOptional(event: FeedbackEvent, fields: { statusCode?: string | undefined; diagnostic?: string | undefined; detail?: string | undefined }): FeedbackEvent {
  if (fields.statusCode !== undefined) event.statusCode = fields.statusCode;
  if (fields.diagnostic !== undefined) event.diagnostic = fields.diagnostic;
  if (fields.detail !== undefined) event.detail = fields.detail;
  return event;
}

/**
 * The SES notification inside an SNS Notification's `Message` (a string, or already parsed; an
 * entire SNS envelope is unwrapped too) → one event per recipient. Bounce and complaint events
 * carry SES's feedbackId; deliveries have none, so their id is built from the SES message id.
 */
export function parseSesNotification(input: unknown): FeedbackEvent[] {
  let value = typeof input === 'string' ? parseJson(input, WHAT) : input;
  if (typeof value === 'object' && value !== null && 'Type' in value && 'Message' in value && typeof value.Message === 'string') {
    value = parseJson(value.Message, WHAT);
  }
  const n = parsePayload(notificationSchema, value, WHAT);
  const kind = n.notificationType ?? n.eventType ?? '';
  const message = messageRef(n.mail);
  const base = { provider: 'ses' as const, message };

  if (kind === 'Bounce') {
    const bounce = parsePayload(bounceSchema, n.bounce, `${WHAT} bounce`);
    const at = new Date(bounce.timestamp);
    return bounce.bouncedRecipients.map((r) => {
      const diagnostic = oneLine(r.diagnosticCode);
      const c = bounceClassification(bounce.bounceType, bounce.bounceSubType, r.status, diagnostic);
      const event: FeedbackEvent = { ...base, type: c.type, address: r.emailAddress, at, eventId: `${bounce.feedbackId}:${r.emailAddress}` };
      return withOptional(event, { statusCode: r.status, diagnostic, detail: c.detail });
    });
  }
  if (kind === 'Complaint') {
    const complaint = parsePayload(complaintSchema, n.complaint, `${WHAT} complaint`);
    const at = new Date(complaint.timestamp);
    // A recipient who says "this is not spam" withdraws nothing we hold, and asks for nothing.
    const notSpam = complaint.complaintFeedbackType?.toLowerCase() === 'not-spam';
    return complaint.complainedRecipients.map((r) => {
      const event: FeedbackEvent = { ...base, type: notSpam ? 'ignored' : 'complaint', address: r.emailAddress, at, eventId: `${complaint.feedbackId}:${r.emailAddress}` };
      return withOptional(event, { detail: notSpam ? 'not_spam' : (complaint.complaintFeedbackType ?? complaint.complaintSubType ?? undefined) });
    });
  }
  if (kind === 'Delivery') {
    const delivery = parsePayload(deliverySchema, n.delivery, `${WHAT} delivery`);
    const at = new Date(delivery.timestamp);
    return delivery.recipients.map((address) => {
      const event: FeedbackEvent = { ...base, type: 'delivered', address, at, eventId: `${n.mail.messageId}:delivery:${address}` };
      return withOptional(event, { diagnostic: oneLine(delivery.smtpResponse) });
    });
  }
  // Send, Reject, Open, Click, DeliveryDelay…: answered and counted, never acted on.
  const at = new Date(n.mail.timestamp);
  return [{ ...base, type: 'ignored', address: undefined, at, eventId: `${n.mail.messageId}:${kind}`, detail: `unknown_event:${kind}` }];
}
