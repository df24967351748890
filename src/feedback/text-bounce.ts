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

/** Where the human report ends and the copy of our original begins. */
const COPY_MARKER =
  /^\s*(?:-+ ?below this line is a copy of the message|-+ ?this is a copy of the message|-+ ?original message|-+ ?the header of the original message|original message follows|return-path:|received:)/im;
const DELAY_TEXT = /delayed|still (?:being )?(?:retried|undelivered|trying)|will (?:continue|keep) trying|warning message only|not yet been delivered/i;
const FAILURE_TEXT = /permanent|given up|giving up|failed|could not be delivered/i;
// A reply code followed by text, an enhanced code or a continuation dash: "550 …", "452-4.2.2 …".
const SMTP_CODE = /(?:^|[\s:;(])([45][0-5]\d)(?=[ -]|$)/m;
const ADDRESS_LINE = /^\s*<?([^\s<>"'(),;:@]+@[^\s<>"'(),;:]+\.[^\s<>"'(),;:.]+)>?:?(.*)$/;

/** Whether a message reads as a bounce: a bounce sender, a bounce subject, or a known MTA's bounce wording. */
export function looksLikeTextBounce(from: string | undefined, subject: string | undefined, text: string): boolean {
  return BOUNCE_SENDER.test(from ?? '') || BOUNCE_SUBJECT.test(subject ?? '') || BOUNCE_BODY.test(text);
}

/** The human-readable report: the text before the copy of the original message. */
export function reportSection(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
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
  const flush = (): void => {
    if (address !== undefined && lines.some((l) => l.trim() !== '')) recipients.push(recipientOf(address, lines.join('\n')));
    address = undefined;
    lines = [];
  };
  for (const line of section.split('\n')) {
    const match = ADDRESS_LINE.exec(line);
    const candidate = match?.[1];
    if (candidate !== undefined && !isOurs(candidate)) {
      flush();
      address = candidate;
      lines = [match?.[2] ?? ''];
    } else if (line.trim() === '') {
      if (lines.some((l) => l.trim() !== '')) flush();
    } else if (address !== undefined) {
      lines.push(line);
    }
  }
  flush();
  if (recipients.length > 0) return { recipients, delayed };
  // No recipient named: still worth one anonymous entry for the first line with a reply code,
  // since the VERP address may name the message (and through it the recipient).
  const codeLine = section.split('\n').find((l) => SMTP_CODE.test(l));
  return { recipients: codeLine === undefined ? [] : [recipientOf(undefined, codeLine)], delayed };
}
