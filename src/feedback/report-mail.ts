import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { classifyStatus, effectiveStatus, oneLine, type Classification } from './classify.ts';
import type { FeedbackEvent, FeedbackProvider, MessageRef } from './feedback-event.ts';
import { headerMessageIdOf, mailgateIdFromHeaderMessageId, mailgateIdFromVerp } from './message-ref.ts';
import { bareAddress, headerBlock, isRedacted, messageIdsIn, parseFieldGroups, singleAddressIn, type FieldGroup } from './report-fields.ts';
import { looksLikeTextBounce, parseTextBounce } from './text-bounce.ts';

export interface ReportMailInput {
  raw: Buffer;
  /** RCPT TO addresses of the SMTP transaction: our VERP address or the complaint address. */
  envelopeTo: string[];
  bounceDomain?: string | undefined;
  complaintAddress?: string | undefined;
  receivedAt: Date;
}

export type ReportMailResult = { kind: 'report'; events: FeedbackEvent[] } | { kind: 'autoreply' } | { kind: 'unparseable'; reason: string };

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ARF_TYPE = 'message/feedback-report';
// Parts that return our original, whole or its headers only (RFC 3462, RFC 6533).
const ORIGINAL_TYPES = new Set(['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers']);
// Anyone can mail the listener: parts and the raw text are read from their start only, and the
// field readers cap again (report-fields.ts). A report part is a few KB; returned headers, under 30 KB.
const MAX_PART_BYTES = 64 * 1024;
const MAX_RAW_BYTES = 256 * 1024;
const MAX_HEADER_TEXT = 1024;
const AUTOREPLY_SUBJECT =
  /^\s*(?:re:\s*)?(?:out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|abwesenheitsnotiz|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|on vacation)/i;

/** Everything an event from this mail shares. */
interface Context {
  input: ReportMailInput;
  baseId: string;
  message: MessageRef;
  /** Header fields of the returned original, when the report includes it as a part. */
  original: FieldGroup | undefined;
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string') return value.value;
  return '';
}

function attachmentTexts(parsed: ParsedMail, types: Set<string>): string[] {
  return parsed.attachments.filter((a) => types.has(a.contentType.toLowerCase())).map((a) => a.content.subarray(0, MAX_PART_BYTES).toString('utf8'));
}

/** The raw text after the report's own header block, where returned headers sit even when mailparser inlines them. */
function rawBody(raw: Buffer): string {
  const text = raw.subarray(0, MAX_RAW_BYTES).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? '' : text.slice(end);
}

const ORIGINAL_PART = /^content-type:[ \t]*(?:message\/(?:rfc822|global)|text\/rfc822-headers)\b/im;

/**
 * Header fields of the returned original. mailparser gives it as an attachment, except a
 * message/rfc822 part marked inline, which it renders into the text without Message-ID or
 * X-HmXmrOriginalRecipient; for that case the part is read from the raw mail.
 */
function originalHeaders(parsed: ParsedMail, raw: Buffer): FieldGroup | undefined {
  const attached = attachmentTexts(parsed, ORIGINAL_TYPES)[0];
  if (attached !== undefined) return headerBlock(attached);
  const body = rawBody(raw);
  const part = ORIGINAL_PART.exec(body);
  if (part === null) return undefined;
  const afterPartHeaders = body.slice(part.index).search(/\r?\n\r?\n/);
  if (afterPartHeaders === -1) return undefined;
  const fields = headerBlock(body.slice(part.index + afterPartHeaders));
  return fields.size > 0 ? fields : undefined;
}

/**
 * The original's Message-ID: from a returned-headers part, else from any Message-ID line in the
 * text or raw body (inline message/rfc822 parts and text bounces quote the original there).
 * One that names a mailgate message wins over the first found.
 */
function originalMessageId(parsed: ParsedMail, raw: Buffer, original: FieldGroup | undefined, extra: (string | undefined)[]): string | undefined {
  const own = headerMessageIdOf(parsed.messageId);
  const candidates = [
    headerMessageIdOf(original?.get('message-id')),
    ...extra.map(headerMessageIdOf),
    ...messageIdsIn(parsed.text ?? ''),
    ...messageIdsIn(rawBody(raw)),
  ].filter(
    (id): id is string => id !== undefined && id !== own,
  );
  return candidates.find((id) => mailgateIdFromHeaderMessageId(id) !== undefined) ?? candidates[0];
}

/** `extra`: what the report itself says about the original (ARF Original-Mail-From, Gmail's X-Original-Message-ID). */
function messageRefOf(parsed: ParsedMail, input: ReportMailInput, original: FieldGroup | undefined, extra: { verp?: string | undefined; messageId?: string | undefined }): MessageRef {
  const headerMessageId = originalMessageId(parsed, input.raw, original, [extra.messageId]);
  const verpCandidates = [...input.envelopeTo, original?.get('return-path'), extra.verp];
  const fromVerp = verpCandidates.map((a) => mailgateIdFromVerp(a, input.bounceDomain)).find((id) => id !== undefined);
  const messageId = fromVerp ?? mailgateIdFromHeaderMessageId(headerMessageId);
  return { ...(messageId === undefined ? {} : { messageId }), ...(headerMessageId === undefined ? {} : { headerMessageId }) };
}

function makeEvent(
  ctx: Context,
  provider: FeedbackProvider,
  c: Classification,
  address: string | undefined,
  fields: { statusCode?: string | undefined; diagnostic?: string | undefined },
): FeedbackEvent {
  const event: FeedbackEvent = { type: c.type, address, at: ctx.input.receivedAt, provider, eventId: `${ctx.baseId}:${address ?? '-'}`, message: ctx.message };
  if (fields.statusCode !== undefined) event.statusCode = fields.statusCode;
  if (fields.diagnostic !== undefined) event.diagnostic = fields.diagnostic;
  if (c.detail !== undefined) event.detail = c.detail;
  return event;
}

/** RFC 3464: one event per recipient block (the blocks after the per-message one). */
function dsnEvents(ctx: Context, report: string): FeedbackEvent[] {
  return parseFieldGroups(report)
    .filter((g) => g.has('final-recipient') || g.has('original-recipient'))
    .map((g) => {
      const address = bareAddress(g.get('final-recipient')) ?? bareAddress(g.get('original-recipient'));
      const diagnostic = oneLine(g.get('diagnostic-code'));
      const status = g.get('status');
      const c = classifyStatus({ statusCode: status, diagnostic, action: g.get('action') });
      return makeEvent(ctx, 'dsn', c, address, { statusCode: effectiveStatus(status, diagnostic), diagnostic });
    });
}

/**
 * RFC 5965: abuse (the "this is spam" button) and fraud (the "this is phishing" button) are
 * complaints; not-spam and the rest (virus, auth-failure, other) are counted and ignored.
 * Providers redact the recipient (RFC 6590), so the address may be missing: the message ref,
 * taken from the returned original, still names the message and through it the recipient.
 */
function arfEvent(ctx: Context, report: string): FeedbackEvent | undefined {
  const fields = parseFieldGroups(report)[0];
  const feedbackType = fields?.get('feedback-type')?.slice(0, 64).toLowerCase();
  if (fields === undefined || feedbackType === undefined) return undefined;
  const candidates = [
    bareAddress(fields.get('original-rcpt-to')),
    bareAddress(ctx.original?.get('x-hmxmroriginalrecipient')),
    singleAddressIn(ctx.original?.get('to')),
  ];
  const address = candidates.find((a) => a !== undefined && !isRedacted(a));
  const c: Classification =
    feedbackType === 'abuse' || feedbackType === 'fraud'
      ? { type: 'complaint', detail: feedbackType }
      : { type: 'ignored', detail: feedbackType === 'not-spam' ? 'not_spam' : `feedback_type:${feedbackType}` };
  return makeEvent(ctx, 'arf', c, address, {});
}

/** `withAutoSubmitted: false` for mail that reads as a bounce: MTAs mark bounces Auto-Submitted too. */
function isAutoreply(parsed: ParsedMail, withAutoSubmitted: boolean): boolean {
  const autoSubmitted = headerText(parsed.headers.get('auto-submitted')).trim().toLowerCase();
  if (withAutoSubmitted && autoSubmitted !== '' && autoSubmitted !== 'no') return true;
  if (parsed.headers.has('x-autoreply') || parsed.headers.has('x-autorespond')) return true;
  if (/auto[_-]?reply/i.test(headerText(parsed.headers.get('precedence')).slice(0, MAX_HEADER_TEXT))) return true;
  return AUTOREPLY_SUBJECT.test((parsed.subject ?? '').slice(0, MAX_HEADER_TEXT));
}

function ourAddressTest(input: ReportMailInput): (address: string) => boolean {
  const complaint = input.complaintAddress?.toLowerCase();
  const bounceDomain = input.bounceDomain?.toLowerCase();
  return (address) => {
    const a = address.toLowerCase();
    return a === complaint || (bounceDomain !== undefined && a.endsWith(`@${bounceDomain}`)) || /^bounces\+/.test(a);
  };
}

function textBounceEvents(ctx: Context, text: string): FeedbackEvent[] {
  const bounce = parseTextBounce(text, ourAddressTest(ctx.input));
  return bounce.recipients
    .filter((r) => r.address !== undefined || ctx.message.messageId !== undefined)
    .map((r) => {
      const c = classifyStatus({ statusCode: r.statusCode, smtpCode: r.smtpCode, diagnostic: r.diagnostic, action: bounce.delayed ? 'delayed' : undefined });
      return makeEvent(ctx, 'dsn', c, r.address, { statusCode: effectiveStatus(r.statusCode, r.diagnostic), diagnostic: r.diagnostic });
    });
}

/**
 * One inbound mail to the feedback listener → what it reports. Order matters: bounces carry
 * Auto-Submitted too, so reports are recognised first (DSN and ARF parts, then text-only
 * bounces), and only then is a mail taken for an autoreply. Anything else is unparseable.
 */
export async function parseReportMail(input: ReportMailInput): Promise<ReportMailResult> {
  let parsed: ParsedMail;
  try {
    // keepDeliveryStatus: otherwise mailparser folds message/delivery-status into the text body.
    parsed = await simpleParser(input.raw, { keepDeliveryStatus: true, skipTextToHtml: true, skipImageLinks: true });
  } catch (err) {
    return { kind: 'unparseable', reason: `mime_error: ${oneLine(err instanceof Error ? err.message : String(err))?.slice(0, 100) ?? 'unknown'}` };
  }
  const original = originalHeaders(parsed, input.raw);
  const baseId = headerMessageIdOf(parsed.messageId) ?? `sha256:${createHash('sha256').update(input.raw).digest('hex').slice(0, 32)}`;

  const arfReports = attachmentTexts(parsed, new Set([ARF_TYPE]));
  if (arfReports[0] !== undefined) {
    const verp = parseFieldGroups(arfReports[0])[0]?.get('original-mail-from');
    const ctx: Context = { input, baseId, original, message: messageRefOf(parsed, input, original, { verp }) };
    const event = arfEvent(ctx, arfReports[0]);
    return event === undefined ? { kind: 'unparseable', reason: 'arf_without_feedback_type' } : { kind: 'report', events: [event] };
  }

  const dsnReports = attachmentTexts(parsed, DSN_TYPES);
  const perMessage = dsnReports.map((r) => parseFieldGroups(r)[0]).find((g) => g !== undefined && !g.has('final-recipient'));
  const ctx: Context = { input, baseId, original, message: messageRefOf(parsed, input, original, { messageId: perMessage?.get('x-original-message-id') }) };
  const dsn = dsnReports.flatMap((report) => dsnEvents(ctx, report));
  if (dsn.length > 0) return { kind: 'report', events: dsn };

  const text = parsed.text ?? '';
  if (looksLikeTextBounce(parsed.from?.value[0]?.address, parsed.subject, text)) {
    const events = textBounceEvents(ctx, text);
    if (events.length > 0) return { kind: 'report', events };
    return isAutoreply(parsed, false) ? { kind: 'autoreply' } : { kind: 'unparseable', reason: 'bounce_without_recipient' };
  }
  if (isAutoreply(parsed, true)) return { kind: 'autoreply' };
  return { kind: 'unparseable', reason: 'not_a_report' };
}
