import { enhancedStatusIn, oneLine } from './classify.ts';

/**
 * Bounces without a message/delivery-status part (qmail's QSBMF, older Exim, "Undelivered Mail
 * Returned to Sender" from some webmail systems): the recipient, code and text are read from the
 * human-readable part. The reader only extracts; classifyStatus decides, and it never makes a
 * hard bounce out of text without a 5xx code.
 */

export interface TextBounceRecipient {
  address: string | undefined;
  statusCode: string | undefined;
  smtpCode: number | undefined;
  diagnostic: string | undefined;
}

export interface TextBounce {
  recipients: TextBounceRecipient[];
  /** The text says the server is still trying: a delay warning, not a failure. */
  delayed: boolean;
}

const BOUNCE_SENDER = /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;
const BOUNCE_SUBJECT =
  /undeliver|returned mail|returned to sender|delivery status notification|delivery (?:failure|failed|has failed|problem)|failure notice|mail delivery (?:failed|failure|system|subsystem)|non[- ]?delivery|could not be delivered/i;
const BOUNCE_BODY =
  /this is the qmail-send program|created automatically by mail delivery software|your message could not be delivered|could not be delivered to one or more|delivery to the following recipients? (?:failed|has failed)|the following addresses? (?:had|failed)/i;

/**
 * The human report is read from the first 64 KB of the text: bounce texts run to a few KB, and
 * what follows them is the copy of our original. Anyone can mail the listener, so every pattern
 * below runs on capped text only.
 */
const MAX_REPORT_TEXT = 64 * 1024;
/** A subject or sender is read from its first 1 KB: the bounce wording starts it. */
const MAX_HEADER_TEXT = 1024;
/** A recipient block keeps at most 4 KB of text: one diagnostic is a few hundred characters. */
const MAX_BLOCK_TEXT = 4 * 1024;
/** Most recipients read from one bounce (mailgate mails one recipient per message). */
const MAX_RECIPIENTS = 50;

/**
 * Where the human report ends and the copy of our original begins: a line that starts with one of
 * these. The leading space is space within the line (`\s` but line ends): as `^\s*` with the m
 * flag it ran across blank lines and was quadratic on a run of them.
 */
const COPY_MARKER =
  /^[^\S\r\n\u2028\u2029]*(?:-+ ?below this line is a copy of the message|-+ ?this is a copy of the message|-+ ?original message|-+ ?the header of the original message|original message follows|return-path:|received:)/im;
const DELAY_TEXT = /delayed|still (?:being )?(?:retried|undelivered|trying)|will (?:continue|keep) trying|warning message only|not yet been delivered/i;
const FAILURE_TEXT = /permanent|given up|giving up|failed|could not be delivered/i;
// A reply code followed by text, an enhanced code or a continuation dash: "550 …", "452-4.2.2 …".
const SMTP_CODE = /(?:^|[\s:;(])([45][0-5]\d)(?=[ -]|$)/m;
// Runs read from a given position (sticky): a local part, then a domain (which may hold `@` and `.`).
const LOCAL_RUN = /[^\s<>"'(),;:@]*/y;
const DOMAIN_RUN = /[^\s<>"'(),;:]*/y;

function runEnd(run: RegExp, text: string, from: number): number {
  run.lastIndex = from;
  run.exec(text);
  return run.lastIndex;
}

/**
 * A line that starts a recipient block: optional space, then "<a@b.c>:" (qmail, Postfix) or a bare
 * "a@b.c" (Exim), and the rest of the line. This is what
 * `^\s*<?([^…@]+@[^…]+\.[^….]+)>?:?(.*)$` matched, found by a scan: that pattern is quadratic on
 * a long domain followed by a line separator.
 */
export function recipientLine(line: string): { address: string; rest: string } | undefined {
  const body = line.trimStart();
  // The pattern's `(.*)$` could not run past a line separator.
  if (/[\r\n\u2028\u2029]/.test(body)) return undefined;
  const start = body[0] === '<' ? 1 : 0;
  const at = runEnd(LOCAL_RUN, body, start);
  if (at === start || body[at] !== '@') return undefined;
  let end = runEnd(DOMAIN_RUN, body, at + 1);
  while (end > at + 1 && body[end - 1] === '.') end -= 1;
  // The last dot with a character after it, and at least one character between the @ and it.
  const dot = end - 2 < at + 2 ? -1 : body.lastIndexOf('.', end - 2);
  if (dot < at + 2) return undefined;
  let restStart = end;
  if (body[restStart] === '>') restStart += 1;
  if (body[restStart] === ':') restStart += 1;
  return { address: body.slice(start, end), rest: body.slice(restStart) };
}

/** Whether a message reads as a bounce: a bounce sender, a bounce subject, or a known MTA's bounce wording. */
export function looksLikeTextBounce(from: string | undefined, subject: string | undefined, text: string): boolean {
  return (
    BOUNCE_SENDER.test((from ?? '').slice(0, MAX_HEADER_TEXT)) ||
    BOUNCE_SUBJECT.test((subject ?? '').slice(0, MAX_HEADER_TEXT)) ||
    BOUNCE_BODY.test(text.slice(0, MAX_REPORT_TEXT))
  );
}

/** The human-readable report: the text before the copy of the original message. */
export function reportSection(text: string): string {
  const normalized = text.slice(0, MAX_REPORT_TEXT).replace(/\r\n?/g, '\n');
  const marker = COPY_MARKER.exec(normalized);
  return marker === null ? normalized : normalized.slice(0, marker.index);
}

function recipientOf(address: string | undefined, block: string): TextBounceRecipient {
  const codeMatch = SMTP_CODE.exec(block);
  return {
    address,
    statusCode: enhancedStatusIn(block),
    smtpCode: codeMatch?.[1] === undefined ? undefined : Number(codeMatch[1]),
    diagnostic: oneLine(block),
  };
}

/**
 * Recipient blocks: a line starting with an address ("<a@b>:" for qmail and Postfix, an indented
 * bare address for Exim), then the lines after it up to a blank line or the next address. Addresses
 * for which `isOurs` holds (our VERP sender, the complaint address) are not recipients.
 */
export function parseTextBounce(text: string, isOurs: (address: string) => boolean): TextBounce {
  const section = reportSection(text);
  const delayed = DELAY_TEXT.test(section) && !FAILURE_TEXT.test(section);
  const recipients: TextBounceRecipient[] = [];
  let address: string | undefined;
  let lines: string[] = [];
  let kept = 0;
  const keep = (line: string): void => {
    if (kept >= MAX_BLOCK_TEXT) return;
    lines.push(line.slice(0, MAX_BLOCK_TEXT - kept));
    kept += line.length + 1;
  };
  const flush = (): void => {
    if (address !== undefined && lines.some((l) => l.trim() !== '') && recipients.length < MAX_RECIPIENTS) {
      recipients.push(recipientOf(address, lines.join('\n')));
    }
    address = undefined;
    lines = [];
    kept = 0;
  };
  for (const line of section.split('\n')) {
    if (line.trim() === '') {
      if (lines.some((l) => l.trim() !== '')) flush();
      continue;
    }
    const started = line.includes('@') ? recipientLine(line) : undefined;
    if (started !== undefined && !isOurs(started.address)) {
      flush();
      address = started.address;
      keep(started.rest);
    } else if (address !== undefined) {
      keep(line);
    }
  }
  flush();
  if (recipients.length > 0) return { recipients, delayed };
  // No recipient named: still worth one anonymous entry for the first line with a reply code,
  // since the VERP address may name the message (and through it the recipient).
  const code = SMTP_CODE.exec(section);
  if (code === null) return { recipients: [], delayed };
  const at = code.index + code[0].length - 3;
  const lineEnd = section.indexOf('\n', at);
  const codeLine = section.slice(section.lastIndexOf('\n', at) + 1, lineEnd === -1 ? undefined : lineEnd);
  return { recipients: [recipientOf(undefined, codeLine.slice(0, MAX_BLOCK_TEXT))], delayed };
}
