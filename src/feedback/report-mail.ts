import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { classifyStatus, effectiveStatus, oneLine, type Classification } from './classify.ts';
import type { MessageTagRef } from '../shared/message-tag.ts';
import type { FeedbackEvent, FeedbackProvider } from './feedback-event.ts';
import { domainsOf, headerMessageIdOf, messageRefFromHeaderMessageId, messageRefFromVerp, type BounceDomains } from './message-ref.ts';
import { bareAddress, headerBlock, isRedacted, messageIdsIn, parseFieldGroups, singleAddressIn, type FieldGroup } from './report-fields.ts';
import { looksLikeTextBounce, parseTextBounce } from './text-bounce.ts';

export interface ReportMailInput {
  raw: Buffer;
  /** RCPT TO addresses of the SMTP transaction: our VERP address or the complaint address. */
  envelopeTo: string[];
  bounceDomain?: BounceDomains;
  complaintAddress?: string | undefined;
  receivedAt: Date;
}

/**
 * A report: its events (addresses as the report wrote them, not yet believed), the references to
 * our messages it carries (strongest first: the envelope recipient, the returned envelope sender,
 * the returned Message-ID), and its own id. Which message it proves, if any, and about whom it is
 * believed, is decided by receive-report-mail.ts.
 */
export interface ParsedReport {
  kind: 'report';
  events: ReportEvent[];
  refs: MessageTagRef[];
  reportId: string;
}

export type ReportMailResult = ParsedReport | { kind: 'autoreply' } | { kind: 'unparseable'; reason: string };

/** One event of a report, with every address the report names for it (a DSN's Final- and Original-Recipient). */
export interface ReportEvent {
  event: FeedbackEvent;
  named: string[];
}

/** References beyond these are not looked at: a real report names one message. */
const MAX_REFS = 8;

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
  /** The original's Message-ID as the report returned it (kept with each event for the record). */
  headerMessageId: string | undefined;
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
 * The Message-IDs the report returns for the original: from a returned-headers part, what the
 * report says itself (Gmail's X-Original-Message-ID), then any Message-ID line in the text or raw
 * body (inline message/rfc822 parts and text bounces quote the original there). The report's own
 * Message-ID is not one of them.
 */
function originalMessageIds(parsed: ParsedMail, raw: Buffer, original: FieldGroup | undefined, extra: (string | undefined)[]): string[] {
  const own = headerMessageIdOf(parsed.messageId);
  const candidates = [headerMessageIdOf(original?.get('message-id')), ...extra.map(headerMessageIdOf), ...messageIdsIn(parsed.text ?? ''), ...messageIdsIn(rawBody(raw))];
  return [...new Set(candidates.filter((id): id is string => id !== undefined && id !== own))];
}

/**
 * The references to our messages a report carries, strongest first: the envelope recipient (our
 * VERP address), the returned envelope sender (Return-Path, ARF Original-Mail-From), then returned
 * Message-IDs. `extra`: what the report itself says about the original.
 */
function claimsOf(
  parsed: ParsedMail,
  input: ReportMailInput,
  original: FieldGroup | undefined,
  extra: { verp?: string | undefined; messageId?: string | undefined },
): { refs: MessageTagRef[]; headerMessageId: string | undefined } {
  const headerIds = originalMessageIds(parsed, input.raw, original, [extra.messageId]);
  const verps = [...input.envelopeTo, original?.get('return-path'), extra.verp];
  const refs: MessageTagRef[] = [];
  const seen = new Set<string>();
  for (const ref of [...verps.map((a) => messageRefFromVerp(a, input.bounceDomain)), ...headerIds.map((id) => messageRefFromHeaderMessageId(id))]) {
    if (ref === undefined || refs.length >= MAX_REFS) continue;
    const key = `${ref.id}.${ref.tag ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push(ref);
  }
  const headerMessageId = headerIds.find((id) => messageRefFromHeaderMessageId(id) !== undefined) ?? headerIds[0];
  return { refs, headerMessageId };
}

function makeEvent(
  ctx: Context,
  provider: FeedbackProvider,
  c: Classification,
  named: (string | undefined)[],
  fields: { statusCode?: string | undefined; diagnostic?: string | undefined },
): ReportEvent {
  const addresses = [...new Set(named.filter((a): a is string => a !== undefined && !isRedacted(a)))];
  const address = addresses[0];
  const message = ctx.headerMessageId === undefined ? {} : { headerMessageId: ctx.headerMessageId };
  const event: FeedbackEvent = { type: c.type, address, at: ctx.input.receivedAt, provider, eventId: `${ctx.baseId}:${address ?? '-'}`, message };
  if (fields.statusCode !== undefined) event.statusCode = fields.statusCode;
  if (fields.diagnostic !== undefined) event.diagnostic = fields.diagnostic;
  if (c.detail !== undefined) event.detail = c.detail;
  return { event, named: addresses };
}

/** RFC 3464: one event per recipient block (the blocks after the per-message one). */
function dsnEvents(ctx: Context, report: string): ReportEvent[] {
  return parseFieldGroups(report)
    .filter((g) => g.has('final-recipient') || g.has('original-recipient'))
    .map((g) => {
      const named = [bareAddress(g.get('final-recipient')), bareAddress(g.get('original-recipient'))];
      const diagnostic = oneLine(g.get('diagnostic-code'));
      const status = g.get('status');
      const c = classifyStatus({ statusCode: status, diagnostic, action: g.get('action') });
      return makeEvent(ctx, 'dsn', c, named, { statusCode: effectiveStatus(status, diagnostic), diagnostic });
    });
}

/**
 * RFC 5965: abuse (the "this is spam" button) and fraud (the "this is phishing" button) are
 * complaints; not-spam and the rest (virus, auth-failure, other) are counted and ignored.
 * Providers redact the recipient (RFC 6590), so the address may be missing: the message ref,
 * taken from the returned original, still names the message and through it the recipient.
 */
function arfEvent(ctx: Context, report: string): ReportEvent | undefined {
  const fields = parseFieldGroups(report)[0];
  const feedbackType = fields?.get('feedback-type')?.slice(0, 64).toLowerCase();
  if (fields === undefined || feedbackType === undefined) return undefined;
  const candidates = [
    bareAddress(fields.get('original-rcpt-to')),
    bareAddress(ctx.original?.get('x-hmxmroriginalrecipient')),
    singleAddressIn(ctx.original?.get('to')),
  ];
  const c: Classification =
    feedbackType === 'abuse' || feedbackType === 'fraud'
      ? { type: 'complaint', detail: feedbackType }
      : { type: 'ignored', detail: feedbackType === 'not-spam' ? 'not_spam' : `feedback_type:${feedbackType}` };
  return makeEvent(ctx, 'arf', c, candidates, {});
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
  const bounceDomains = domainsOf(input.bounceDomain);
  return (address) => {
    const a = address.toLowerCase();
    return a === complaint || bounceDomains.some((d) => a.endsWith(`@${d}`)) || /^bounces\+/.test(a);
  };
}

function textBounceEvents(ctx: Context, text: string): ReportEvent[] {
  const bounce = parseTextBounce(text, ourAddressTest(ctx.input));
  // An entry without an address still counts: the proven message names its recipient.
  return bounce.recipients.map((r) => {
      const c = classifyStatus({ statusCode: r.statusCode, smtpCode: r.smtpCode, diagnostic: r.diagnostic, action: bounce.delayed ? 'delayed' : undefined });
      return makeEvent(ctx, 'dsn', c, [r.address], { statusCode: effectiveStatus(r.statusCode, r.diagnostic), diagnostic: r.diagnostic });
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
    const { refs, headerMessageId } = claimsOf(parsed, input, original, { verp });
    const event = arfEvent({ input, baseId, original, headerMessageId }, arfReports[0]);
    return event === undefined ? { kind: 'unparseable', reason: 'arf_without_feedback_type' } : { kind: 'report', events: [event], refs, reportId: baseId };
  }

  const dsnReports = attachmentTexts(parsed, DSN_TYPES);
  const perMessage = dsnReports.map((r) => parseFieldGroups(r)[0]).find((g) => g !== undefined && !g.has('final-recipient'));
  const { refs, headerMessageId } = claimsOf(parsed, input, original, { messageId: perMessage?.get('x-original-message-id') });
  const ctx: Context = { input, baseId, original, headerMessageId };
  const dsn = dsnReports.flatMap((report) => dsnEvents(ctx, report));
  if (dsn.length > 0) return { kind: 'report', events: dsn, refs, reportId: baseId };

  const text = parsed.text ?? '';
  if (looksLikeTextBounce(parsed.from?.value[0]?.address, parsed.subject, text)) {
    const events = textBounceEvents(ctx, text);
    if (events.length > 0) return { kind: 'report', events, refs, reportId: baseId };
    return isAutoreply(parsed, false) ? { kind: 'autoreply' } : { kind: 'unparseable', reason: 'bounce_without_recipient' };
  }
  if (isAutoreply(parsed, true)) return { kind: 'autoreply' };
  return { kind: 'unparseable', reason: 'not_a_report' };
}
