import type { FeedbackType } from './feedback-event.ts';

/** What a bounce, DSN or SMTP reply says about one recipient; any part may be missing. */
export interface StatusInput {
  /** RFC 3463 enhanced status, e.g. "5.1.1". */
  statusCode?: string | undefined;
  /** Basic SMTP reply code, e.g. 550. */
  smtpCode?: number | undefined;
  /** The remote server's text, e.g. "smtp; 550 5.1.1 <a@b>: user unknown". */
  diagnostic?: string | undefined;
  /** RFC 3464 Action: failed, delayed, delivered, relayed, expanded. */
  action?: string | undefined;
}

export interface Classification {
  type: FeedbackType;
  /** Why `ignored`, or the kind of bounce (bad_mailbox, mailbox_full…). */
  detail?: string;
}

interface Enhanced {
  cls: '2' | '4' | '5';
  subject: number;
  detail: number;
}

/**
 * Status codes and diagnostics are read from their first 8 KB: an SMTP reply or a DSN diagnostic
 * runs to a few hundred characters, and the texts come from strangers (bounce mail, webhooks).
 * Every pattern below is linear as well: anchored or bounded, no nested or adjacent repeats.
 */
const MAX_STATUS_TEXT = 8 * 1024;
const head = (text: string | undefined | null): string => (text ?? '').slice(0, MAX_STATUS_TEXT);

const ENHANCED_AT_START = /^\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)/;
// Anywhere in a diagnostic ("550-5.1.1 …", "(#5.1.1)"), but not inside an IP address or version.
const ENHANCED_IN_TEXT = /(?:^|[\s;:#(["'-])([245])\.(\d{1,3})\.(\d{1,3})(?=$|[\s;,:)\]"']|\.(?!\d))/;
// The reply code at the start of a diagnostic, after an optional "smtp;" diagnostic-type.
const SMTP_CODE_AT_START = /^\s*(?:[a-z0-9-]+;\s*)?([245]\d\d)(?=[\s-]|$)/i;

// Text rules, checked in this order so that the least harmful reading wins: a full mailbox
// mentioned next to "unavailable" is soft, a block mentioned next to "unknown" is not a hard bounce.
const SOFT_TEXT = /quota|mailbox (?:is )?full|insufficient (?:system )?storage|try again later|temporar/i;
const FULL_TEXT = /quota|full|storage/i;
const SENDER_TEXT = /sender (?:address |domain )?(?:rejected|unknown|invalid|verify failed|denied)|sender domain|relay(?:ing)? (?:access )?(?:denied|not permitted)|mail from/i;
const POLICY_TEXT = /spam|blocked|block ?list|black ?list|deny ?list|polic(?:y|ies)|reputation|dnsbl|spamhaus|access denied/i;
const HARD_TEXT =
  /user unknown|unknown user|no such (?:user|mailbox|recipient)|mailbox (?:is )?unavailable|mailbox not found|does not exist|doesn't exist|invalid (?:recipient|mailbox)|recipient address rejected|recipient not found|user not found|no mailbox here/i;

function parseEnhanced(match: RegExpExecArray | null): Enhanced | undefined {
  if (!match) return undefined;
  return { cls: match[1] as Enhanced['cls'], subject: Number(match[2]), detail: Number(match[3]) };
}

/** The enhanced status to go by: the given one, unless it is a generic X.0.0 and the text names a specific one of the same class. */
function resolveEnhanced(statusCode: string | undefined, diagnostic: string): Enhanced | undefined {
  const given = parseEnhanced(ENHANCED_AT_START.exec(head(statusCode)));
  const inText = parseEnhanced(ENHANCED_IN_TEXT.exec(head(diagnostic)));
  if (given === undefined) return inText;
  if (given.subject === 0 && given.detail === 0 && inText !== undefined && inText.cls === given.cls) return inText;
  return given;
}

/** The basic reply code at the start of a diagnostic, if any. */
export function smtpCodeIn(text: string | undefined): number | undefined {
  const match = SMTP_CODE_AT_START.exec(head(text));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The first enhanced status written in a text, e.g. "5.1.1" from "550-5.1.1 The email account…". */
export function enhancedStatusIn(text: string | undefined): string | undefined {
  const e = parseEnhanced(ENHANCED_IN_TEXT.exec(head(text)));
  return e === undefined ? undefined : `${e.cls}.${e.subject}.${e.detail}`;
}

/** The enhanced status classifyStatus goes by, as text (for the event's statusCode). */
export function effectiveStatus(statusCode: string | undefined, diagnostic: string | undefined): string | undefined {
  const e = resolveEnhanced(statusCode, diagnostic ?? '');
  return e === undefined ? undefined : `${e.cls}.${e.subject}.${e.detail}`;
}

/** By enhanced code alone; undefined when the code is too generic to decide (X.0.0, 5.1.0, 5.5.x…). */
function byEnhanced(e: Enhanced): Classification | undefined {
  // Sender-side and policy rejections are about us, never the recipient, whatever the class.
  if (e.subject === 1 && (e.detail === 7 || e.detail === 8)) return { type: 'ignored', detail: 'sender_side' };
  if (e.subject === 7) return { type: 'ignored', detail: 'policy' };
  if (e.cls === '4') {
    if (e.subject === 0) return undefined;
    if (e.subject === 2 && e.detail === 2) return { type: 'soft_bounce', detail: 'mailbox_full' };
    if (e.subject === 3) return { type: 'soft_bounce', detail: 'system' };
    if (e.subject === 4) return { type: 'soft_bounce', detail: 'network' };
    return { type: 'soft_bounce', detail: 'temporary' };
  }
  const key = `${e.subject}.${e.detail}`;
  switch (key) {
    case '1.1':
      return { type: 'hard_bounce', detail: 'bad_mailbox' };
    case '1.2':
      return { type: 'hard_bounce', detail: 'bad_domain' };
    case '1.3':
      return { type: 'hard_bounce', detail: 'bad_address_syntax' };
    case '1.6':
      return { type: 'hard_bounce', detail: 'mailbox_moved' };
    // RFC 7505 null MX; Microsoft uses it for "RecipientNotFound" as well.
    case '1.10':
      return { type: 'hard_bounce', detail: 'bad_address' };
    case '2.1':
      return { type: 'hard_bounce', detail: 'mailbox_disabled' };
    case '2.2':
      return { type: 'soft_bounce', detail: 'mailbox_full' };
    case '2.3':
    case '3.4':
      return { type: 'ignored', detail: 'message_size' };
  }
  if (e.subject === 3) return { type: 'soft_bounce', detail: 'system' };
  if (e.subject === 4) return { type: 'soft_bounce', detail: 'network' };
  return undefined;
}

function softFromText(diagnostic: string): Classification {
  return { type: 'soft_bounce', detail: FULL_TEXT.test(diagnostic) ? 'mailbox_full' : 'temporary' };
}

/** By reply class and text, for generic or missing enhanced codes. Never hard without a 5xx. */
function byText(cls: string | undefined, diagnostic: string): Classification {
  if (SOFT_TEXT.test(diagnostic)) return softFromText(diagnostic);
  if (SENDER_TEXT.test(diagnostic)) return { type: 'ignored', detail: 'sender_side' };
  if (POLICY_TEXT.test(diagnostic)) return { type: 'ignored', detail: 'policy' };
  if (cls === '5' && HARD_TEXT.test(diagnostic)) return { type: 'hard_bounce', detail: 'user_unknown' };
  if (cls === '4') return { type: 'soft_bounce', detail: 'temporary' };
  return { type: 'ignored', detail: 'unknown' };
}

/**
 * What one recipient's status means (docs/feedback.md). The order of the rules is the point:
 * a hard bounce needs a 5xx class and either a mailbox/domain code (X.1.1, X.1.2, X.1.3, X.1.6,
 * X.1.10, X.2.1) or, without a specific code, an unambiguous "no such user" text; anything that
 * could be a full mailbox or a temporary condition is soft; sender-side, policy and size
 * rejections are not the recipient's fault and are ignored; the rest is ignored as unknown.
 */
export function classifyStatus(input: StatusInput): Classification {
  const action = input.action?.trim().toLowerCase();
  // Still trying: a warning, never a soft bounce (only a final failure counts toward the limit).
  if (action === 'delayed') return { type: 'delayed' };
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') return { type: 'delivered' };

  const diagnostic = head(input.diagnostic);
  const smtpCode = input.smtpCode ?? smtpCodeIn(diagnostic);
  const resolved = resolveEnhanced(input.statusCode, diagnostic);
  // "452 5.1.1": the classes disagree (RFC 3463 says they must not); the temporary one is safer.
  const enhanced = resolved?.cls === '5' && smtpCode !== undefined && smtpCode >= 400 && smtpCode < 500 ? { ...resolved, cls: '4' as const } : resolved;
  const cls = enhanced?.cls ?? (smtpCode === undefined ? undefined : String(smtpCode).charAt(0));
  if (cls === '2') return { type: 'delivered' };

  const byCode = enhanced === undefined ? undefined : byEnhanced(enhanced);
  if (byCode === undefined) return byText(cls, diagnostic);
  // A mailbox code next to "over quota" is a server mislabelling a full mailbox: stay soft.
  if (byCode.type === 'hard_bounce' && SOFT_TEXT.test(diagnostic)) return softFromText(diagnostic);
  return byCode;
}

/**
 * For sources that already say "permanent" (SES Permanent, Postmark HardBounce, SendGrid bounce,
 * Mailgun permanent failure): trust them, except where the recipient's own status contradicts
 * them — a sender-side, policy or size rejection is ignored, a full mailbox stays soft. The
 * detail is the one the status code gives, else the provider's own (`detail`).
 */
export function classifyPermanent(input: StatusInput, detail?: string): Classification {
  const c = classifyStatus({ ...input, action: undefined });
  if (c.type === 'ignored' && c.detail !== 'unknown') return c;
  if (c.type === 'soft_bounce' && c.detail === 'mailbox_full') return c;
  if (c.type === 'hard_bounce') return c;
  return detail === undefined ? { type: 'hard_bounce' } : { type: 'hard_bounce', detail };
}

/** A diagnostic as FeedbackEvent wants it: one line, at most 500 characters; undefined when empty. */
export function oneLine(text: string | undefined | null): string | undefined {
  if (typeof text !== 'string') return undefined;
  const line = head(text).replace(/\s+/g, ' ').trim().slice(0, 500);
  return line === '' ? undefined : line;
}

export interface SmtpReplyClassification extends Classification {
  statusCode?: string;
  smtpCode?: number;
  /** The server's reply or the connection error, one line. */
  diagnostic: string;
  /** A 5xx reply: retrying the same message cannot help. */
  permanent: boolean;
}

interface SmtpErrorLike {
  responseCode?: unknown;
  response?: unknown;
  code?: unknown;
  command?: unknown;
  message?: unknown;
}

/**
 * For the worker's synchronous failures (nodemailer errors: `responseCode`, `response`, `command`).
 * Same rules as bounces, so "550 5.1.8 bad sender" is ignored/sender_side, not a hard bounce.
 * A failure before RCPT TO (connection, EHLO, STARTTLS, AUTH, MAIL FROM) is about our side of the
 * conversation, never the recipient: it is ignored, so an outage of the relay does not pile up
 * soft bounces for every address in the queue.
 */
export function classifySmtpReply(err: unknown): SmtpReplyClassification {
  const e: SmtpErrorLike = typeof err === 'object' && err !== null ? (err as SmtpErrorLike) : {};
  const raw = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const diagnostic = oneLine(raw) ?? 'unknown error';
  const smtpCode = typeof e.responseCode === 'number' ? e.responseCode : smtpCodeIn(diagnostic);
  const permanent = smtpCode !== undefined && smtpCode >= 500 && smtpCode < 600;
  const statusCode = smtpCode === undefined ? undefined : enhancedStatusIn(diagnostic);
  const base = { diagnostic, permanent, ...(smtpCode === undefined ? {} : { smtpCode }), ...(statusCode === undefined ? {} : { statusCode }) };

  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  if (e.code === 'EAUTH' || command.startsWith('AUTH') || command === 'MAIL FROM') return { type: 'ignored', detail: 'sender_side', ...base };
  // No reply code: the connection failed (ECONNRESET, ETIMEDOUT, EDNS…); 421 is the server closing it.
  if (smtpCode === undefined || smtpCode === 421 || command === 'CONN' || command === 'EHLO' || command === 'HELO' || command === 'STARTTLS') {
    return { type: 'ignored', detail: 'connection', ...base };
  }
  return { ...classifyStatus({ statusCode, smtpCode, diagnostic }), ...base };
}
