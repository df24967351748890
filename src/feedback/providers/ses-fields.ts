import { createHash } from 'node:crypto';
import { z } from 'zod';
import { tryNormalizeAddress } from '../../addresses/index.ts';
import type { MessageRef } from '../feedback-event.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId } from '../message-ref.ts';

/**
 * The fields of an SES notification that mailgate reads, and nothing else (docs/feedback-verdicts-draft.md).
 * SES adds fields over time and replays of its samples drop some: a field of another type than
 * expected reads as absent, as an unknown or missing one does, and the reader decides whether it
 * can do without it. Lengths are capped before any text is scanned.
 */
const MAX_ID = 256;
const MAX_NAME = 100;
const MAX_TIMESTAMP = 64;
/** An RFC 3463 status is at most 11 characters ("5.123.123"); a longer one is not one. */
const MAX_STATUS = 32;
/** Longer than any address with a display name SES would pass on. */
const MAX_ADDRESS_TEXT = 1024;
/** SES sends to at most 50 recipients per message; more entries than this are not read. */
export const MAX_RECIPIENTS = 1000;
const MAX_HEADERS = 500;

const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const text = (max: number) => optional(z.string().max(max));
/** A list whose entries are read one by one, so that one bad entry does not spoil the others. */
const list = optional(z.array(z.unknown()));

export const notificationSchema = z.object({
  notificationType: text(MAX_NAME),
  eventType: text(MAX_NAME),
  mail: optional(
    z.object({
      messageId: text(MAX_ID),
      timestamp: text(MAX_TIMESTAMP),
      destination: list,
      headers: list,
      commonHeaders: optional(z.object({ messageId: optional(z.string()) })),
    }),
  ),
  bounce: z.unknown().optional(),
  complaint: z.unknown().optional(),
  delivery: z.unknown().optional(),
  deliveryDelay: z.unknown().optional(),
  subscription: z.unknown().optional(),
});
export type SesNotification = z.output<typeof notificationSchema>;
type Mail = NonNullable<SesNotification['mail']>;

/** One recipient of a bounce, complaint or delay: only `emailAddress` is needed. */
export const recipientSchema = z.object({
  emailAddress: z.unknown().optional(),
  action: text(MAX_NAME),
  status: text(MAX_STATUS),
  // Read whole: a multi-line diagnostic is classified as one text (classify.ts caps it).
  diagnosticCode: optional(z.string()),
});
export type SesRecipient = z.output<typeof recipientSchema>;

export const bounceSchema = z.object({
  bounceType: text(MAX_NAME),
  bounceSubType: text(MAX_NAME),
  feedbackId: text(MAX_ID),
  timestamp: text(MAX_TIMESTAMP),
  bouncedRecipients: list,
});

export const complaintSchema = z.object({
  feedbackId: text(MAX_ID),
  timestamp: text(MAX_TIMESTAMP),
  complaintFeedbackType: text(MAX_NAME),
  complaintSubType: text(MAX_NAME),
  complainedRecipients: list,
});

export const deliverySchema = z.object({ timestamp: text(MAX_TIMESTAMP), recipients: list, smtpResponse: optional(z.string()) });

export const delaySchema = z.object({ timestamp: text(MAX_TIMESTAMP), delayType: text(MAX_NAME), delayedRecipients: list });

const preferencesSchema = z.object({ unsubscribeAll: optional(z.boolean()), topicSubscriptionStatus: list });
export const topicSchema = z.object({ topicName: text(MAX_NAME), subscriptionStatus: text(MAX_NAME) });
export const subscriptionSchema = z.object({
  timestamp: text(MAX_TIMESTAMP),
  newTopicPreferences: optional(preferencesSchema),
  oldTopicPreferences: optional(preferencesSchema),
});

const headerSchema = z.object({ name: z.string().max(MAX_NAME), value: z.string() });

/**
 * The address in a recipient field: bare, or in `Name <addr>` form (quoted names and surrounding
 * space allowed), optionally as an SES recipient object. A scan, not a pattern: this is text a
 * stranger's server may have chosen. Undefined when it is not one valid address.
 */
export function addressOf(value: unknown): string | undefined {
  const field = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { emailAddress?: unknown }).emailAddress : value;
  if (typeof field !== 'string' || field.length > MAX_ADDRESS_TEXT) return undefined;
  let bare = field.trim();
  const open = bare.lastIndexOf('<');
  if (open !== -1) {
    const close = bare.indexOf('>', open);
    if (close === -1) return undefined;
    bare = bare.slice(open + 1, close).trim();
  }
  return tryNormalizeAddress(bare).ok ? bare : undefined;
}

/** Reads up to MAX_RECIPIENTS entries; `unread` counts those that could not be read (or were not). */
export function readEntries<T>(entries: unknown[] | undefined, read: (entry: unknown) => T | undefined): { read: T[]; unread: number } {
  const all = entries ?? [];
  const found: T[] = [];
  for (const entry of all.slice(0, MAX_RECIPIENTS)) {
    const value = read(entry);
    if (value !== undefined) found.push(value);
  }
  return { read: found, unread: all.length - found.length };
}

/** An ISO 8601 time; also the "2018-10-08T14:05:45 +0000" form one SES example uses. */
export function timeOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  let ms = Date.parse(value);
  // Bounded: the value is at most MAX_TIMESTAMP characters and the pattern is anchored.
  if (Number.isNaN(ms)) ms = Date.parse(value.replace(/ ?([+-]\d\d):?(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** What references the message: SES's id, and the Message-ID header (ours if either copy of it is). */
export function messageRefOf(mail: Mail | undefined): MessageRef {
  if (mail === undefined) return {};
  const headers = (mail.headers ?? []).slice(0, MAX_HEADERS).map((h) => headerSchema.safeParse(h).data);
  const fromHeaders = headers.find((h) => h?.name.toLowerCase() === 'message-id')?.value;
  // Event publishing may put SES's own id in commonHeaders.messageId and ours in the headers only.
  const candidates = [mail.commonHeaders?.messageId, fromHeaders].map(headerMessageIdOf).filter((id) => id !== undefined);
  const headerMessageId = candidates.find((id) => mailgateIdFromHeaderMessageId(id) !== undefined) ?? candidates[0];
  const messageId = mailgateIdFromHeaderMessageId(headerMessageId);
  return {
    ...(mail.messageId === undefined || mail.messageId === '' ? {} : { relayMessageId: mail.messageId }),
    ...(headerMessageId === undefined ? {} : { headerMessageId }),
    ...(messageId === undefined ? {} : { messageId }),
  };
}

/** The recipients SES sent the message to (for events that name no recipient of their own). */
export function destinationOf(mail: Mail | undefined): string[] {
  return [...new Set(readEntries(mail?.destination, addressOf).read)];
}

/** A vendor value as text for keeping and hashing; never throws, whatever the value. */
export function rawText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return `[${typeof value} that is not JSON]`;
  }
}

/** A digest of the notification, to name it when SES gave it no id: the same text on every retry. */
export function digestOf(raw: string): string {
  return `sha256-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
}
