import { classifyPermanent, type Classification, type StatusInput } from '../classify.ts';
import { ignoredDetail } from './relay-fields.ts';
import { finalSoftVerdict, lessDestructive } from './relay-verdicts.ts';

/**
 * Postmark's bounce types and their codes ("Bounce API → bounce types"; postmark.js
 * `BounceTypeCode`), and what each means for the address (docs/feedback-verdicts-draft.md).
 */
const TYPE_BY_CODE: Readonly<Record<number, string>> = {
  1: 'HardBounce', 2: 'Transient', 16: 'Unsubscribe', 32: 'Subscribe', 64: 'AutoResponder', 128: 'AddressChange',
  256: 'DnsError', 512: 'SpamNotification', 1024: 'OpenRelayTest', 2048: 'Unknown', 4096: 'SoftBounce',
  8192: 'VirusNotification', 16384: 'ChallengeVerification', 100000: 'BadEmailAddress', 100001: 'SpamComplaint',
  100002: 'ManuallyDeactivated', 100003: 'Unconfirmed', 100006: 'Blocked', 100007: 'SMTPApiError',
  100008: 'InboundError', 100009: 'DMARCPolicy', 100010: 'TemplateRenderingFailed',
};
const KNOWN_TYPES = new Set(Object.values(TYPE_BY_CODE));

/**
 * One bounce type → our meaning. Postmark has read the bounce already, so the type decides; the
 * SMTP details in `status` only refine it (a 5.7.x block in a HardBounce is not the recipient's fault).
 */
function meaningOf(type: string, status: StatusInput): Classification {
  switch (type) {
    case 'HardBounce':
      return classifyPermanent(status);
    case 'BadEmailAddress':
      return classifyPermanent(status, 'bad_address');
    // "Message delayed": Postmark is still trying.
    case 'Transient':
      return { type: 'delayed' };
    // Postmark reports these once it has given up on the message.
    case 'SoftBounce':
      return finalSoftVerdict(status, 'temporary');
    case 'DnsError':
      return finalSoftVerdict(status, 'dns');
    case 'SpamComplaint':
      return { type: 'complaint' };
    // A recipient's "remove me" that Postmark recognised in a reply.
    case 'Unsubscribe':
      return { type: 'unsubscribe', detail: 'unsubscribe_request' };
    case 'AutoResponder':
      return { type: 'ignored', detail: ignoredDetail('autoreply', type) };
    // Filtered as spam or bulk, blocked, DMARC, virus: the receiver judged our mail, not its mailbox.
    case 'SpamNotification':
    case 'Blocked':
    case 'DMARCPolicy':
    case 'VirusNotification':
      return { type: 'ignored', detail: ignoredDetail('policy', type) };
    // Deactivated by the Postmark account, not by anything the recipient did.
    case 'ManuallyDeactivated':
      return { type: 'ignored', detail: ignoredDetail('operator', type) };
    case 'SMTPApiError':
    case 'TemplateRenderingFailed':
      return { type: 'ignored', detail: ignoredDetail('sender_side', type) };
    case 'Unknown':
      return { type: 'ignored', detail: ignoredDetail('unknown', type) };
    // Subscribe, AddressChange, OpenRelayTest, ChallengeVerification, Unconfirmed, InboundError:
    // replies and probes Postmark files as bounces; nothing failed for this address.
    default:
      return { type: 'ignored', detail: ignoredDetail('not_feedback', type) };
  }
}

/**
 * A bounce record's meaning from its `Type` and `TypeCode`. When both are known and disagree (a
 * replayed stub says SoftBounce / 1), the less destructive reading is taken: such a record is
 * damaged, and a wrong hard bounce costs an operator's explanation to lift, while a missed one
 * comes back with the next message. One pairing is not a disagreement: Postmark's own spam
 * complaint examples carry TypeCode 512 (SpamNotification) with Type SpamComplaint.
 */
export function postmarkBounceMeaning(type: string | undefined, code: number | undefined, status: StatusInput): Classification {
  const byName = type !== undefined && KNOWN_TYPES.has(type) ? type : undefined;
  const byCode = code === undefined ? undefined : TYPE_BY_CODE[code];
  if (byName !== undefined && byCode !== undefined && byName !== byCode && !(byName === 'SpamComplaint' && code === 512)) {
    return lessDestructive(meaningOf(byName, status), meaningOf(byCode, status));
  }
  const known = byName ?? byCode;
  if (known !== undefined) return meaningOf(known, status);
  return { type: 'ignored', detail: ignoredDetail('unknown_event', type ?? `TypeCode ${code ?? 'none'}`) };
}
