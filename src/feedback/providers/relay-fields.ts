import { z } from 'zod';
import { RAW_LIMIT, unreadableEvent, type FeedbackEvent, type FeedbackProvider } from '../feedback-event.ts';

/**
 * Tolerant reading of the relays' webhook bodies (docs/feedback-verdicts-draft.md). The bodies are
 * authenticated before they are read, so what is read here is the relay's word; but relays add
 * fields, change their shapes between API versions and publish samples that disagree with their
 * docs. A parser therefore reads only the fields mailgate uses, each on its own: a field of an
 * unexpected shape reads as absent instead of failing the event, and the parser never throws.
 */

/**
 * Why an ignored relay event was not acted on: the first segment of its `detail`, and the label it
 * is counted under (`mailgate_feedback_ignored_total{reason}`). A fixed vocabulary, so a relay
 * cannot grow the metric's label set; what follows the first `:` is free (the event name, the type).
 */
export const IGNORED_REASONS = [
  /** An event type mailgate does not know. */
  'unknown_event',
  /** Sent, processed, accepted, opened, clicked: nothing about the mailbox. */
  'engagement',
  /** An event that would act on an address, but names none. */
  'no_address',
  /** The receiver blocked our mail (reputation, content, DMARC, blocklists): not the recipient's doing. */
  'policy',
  /** A rejection of our sender, our request or our account, not of the recipient. */
  'sender_side',
  /** The relay did not send, because of its own suppression list: the cause was reported when it happened. */
  'dropped',
  /** An address the relay suppressed is sendable again: consent comes back only through mailgate's own pages. */
  'reactivated',
  /** An out-of-office or other automatic reply. */
  'autoreply',
  /** Not feedback about our mail at all (inbound mail, replies the relay sorted as bounces). */
  'not_feedback',
  /** The relay's news about our account (SendGrid account_status_change): worth an alert, names nobody. */
  'account_status',
  /** The relay's account suppressed the address by hand: the operator's act, not the recipient's. */
  'operator',
  /** The receiver refused the message for its size: ours to fix, not the mailbox's (classify.ts). */
  'message_size',
  /** The relay's verdict and the codes leave it undecided. */
  'unknown',
] as const;
export type IgnoredReason = (typeof IGNORED_REASONS)[number];

/** Longest free part of a detail: an event or type name from the relay, cut and made printable. */
const MAX_DETAIL_PART = 100;

/** `reason` or `reason:part`, the part cut to MAX_DETAIL_PART printable characters. */
export function ignoredDetail(reason: IgnoredReason, part?: string): string {
  if (part === undefined) return reason;
  // eslint-disable-next-line no-control-regex
  const printable = part.slice(0, MAX_DETAIL_PART).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return `${reason}:${printable}`;
}

/** An optional field: absent when missing or of another shape. */
export const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** A string field, absent when empty. */
export const text = lenient(z.string().min(1));

/** An id the relay sends as a string or a number. */
export const idField = lenient(z.union([z.string().min(1), z.number().finite()]));

/** A JSON object, or nothing. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JavaScript Date holds ±8.64e15 ms; anything outside is not a time. */
const MAX_TIME_MS = 8.64e15;

function dateOfMs(ms: number): Date | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? new Date(ms) : undefined;
}

/** Unix seconds as a number or a numeric string (Mailgun sends both), as a Date; undefined otherwise. */
export function dateOfSeconds(value: unknown): Date | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return dateOfMs(seconds * 1000);
}

/** An ISO 8601 time (with or without a zone) as a Date; undefined otherwise. */
export function dateOfIso(value: unknown): Date | undefined {
  return typeof value === 'string' && value.length <= 64 ? dateOfMs(Date.parse(value)) : undefined;
}

const ENHANCED_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** An RFC 3463 enhanced status ("5.1.1") given in a field of its own; undefined for anything else. */
export function statusField(value: string | undefined): string | undefined {
  return value !== undefined && ENHANCED_STATUS.test(value) ? value : undefined;
}

/** No address field comes near this; longer text is not read at all. */
const MAX_RECIPIENT_FIELD = 1024;

/**
 * The address in a recipient field: "a@b", "<a@b>" or "Name <a@b>" → "a@b", as written (normalizing
 * is the repository's). A scan, not a pattern: the text is the relay's copy of what a stranger
 * typed. Undefined when there is no `@` in it: nobody to act on.
 */
export function recipientAddress(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_RECIPIENT_FIELD) return undefined;
  let address = value.trim();
  const open = address.lastIndexOf('<');
  if (open !== -1) {
    const close = address.indexOf('>', open);
    address = address.slice(open + 1, close === -1 ? undefined : close).trim();
  }
  return address.includes('@') ? address : undefined;
}

/** The value as JSON for `FeedbackEvent.raw`, cut to RAW_LIMIT; never throws (a body nested too deep to print is named). */
export function rawText(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, RAW_LIMIT);
  } catch {
    return `[not printable: ${Array.isArray(value) ? 'array' : typeof value}]`;
  }
}

/** An event the parser could not read: ignored under `unreadable`, kept raw (feedback-event.ts). */
export function unreadable(provider: FeedbackProvider, why: string, raw: unknown, at: Date): FeedbackEvent {
  return unreadableEvent(provider, why, rawText(raw), at);
}

/** Sets the optional fields that have a value (exactOptionalPropertyTypes: no `undefined` stored). */
export function withOptional(event: FeedbackEvent, fields: Partial<Pick<FeedbackEvent, 'statusCode' | 'diagnostic' | 'detail' | 'scope'>>): FeedbackEvent {
  for (const [key, value] of Object.entries(fields) as [keyof typeof fields, never][]) if (value !== undefined) event[key] = value;
  return event;
}

/** Parts of a derived event id: each cut, so the id stays under the record id's 500 characters. */
export function idParts(...parts: (string | number | undefined)[]): string {
  return parts.map((p) => (p === undefined ? '-' : String(p).slice(0, 120))).join(':');
}
