import { tryNormalizeAddress } from '../addresses/index.ts';
import type { FeedbackTarget } from '../messages/index.ts';
import type { MessageTagRef, MessageTags } from '../shared/message-tag.ts';
import type { FeedbackEvent } from './feedback-event.ts';
import type { ReportEvent } from './report-mail.ts';

/**
 * Who bounce and complaint MAIL is believed about (docs/feedback.md). Anyone can send mail to the
 * listener, so a report counts only when it provably concerns a message mailgate sent, and then
 * only about that message's own recipient. Authenticated relays are believed about anyone (see
 * `believedAboutAnyAddress`); this file is the rule for everything else.
 */

/** Why a report proves no message: each is a `reason` of mailgate_feedback_dropped_total. */
export type NoProof =
  /** It names none of our messages in any form. */
  | 'unverified'
  /** It names one with a tag that does not verify: forged, or made with a secret no longer configured. */
  | 'bad_tag'
  /** It names, untagged, a message that went out tagged (untagged forms are believed only for messages from before tags). */
  | 'untagged_ref'
  /** It names a message that does not exist (never did, or retention removed it). */
  | 'unknown_message';

export type Proof = { ok: true; message: FeedbackTarget; via: 'tag' | 'untagged_legacy' } | { ok: false; reason: NoProof };

export interface ProofDeps {
  tags: MessageTags;
  /** One point read by id; throws when the database cannot answer (the report is then retried). */
  find(id: string): Promise<FeedbackTarget | null>;
}

/** At most this many untagged ids are looked up per report: a real one names its message once or twice. */
const MAX_UNTAGGED_LOOKUPS = 3;

/**
 * The message a report proves, from its references strongest first: the first one whose tag
 * verifies (and whose message exists); failing that, an untagged one naming a message enqueued
 * before tags (records without `tagged`), which retention removes MESSAGE_RETENTION_DAYS later.
 */
export async function proveMessage(refs: readonly MessageTagRef[], deps: ProofDeps): Promise<Proof> {
  let failure: NoProof = 'unverified';
  const tagged = refs.filter((r) => r.tag !== undefined);
  const verified = tagged.find((r) => deps.tags.verify(r));
  if (verified) {
    const message = await deps.find(verified.id);
    return message ? { ok: true, message, via: 'tag' } : { ok: false, reason: 'unknown_message' };
  }
  if (tagged.length > 0) failure = 'bad_tag';
  const untagged = [...new Set(refs.filter((r) => r.tag === undefined).map((r) => r.id))].slice(0, MAX_UNTAGGED_LOOKUPS);
  for (const id of untagged) {
    const message = await deps.find(id);
    if (message && !message.tagged) return { ok: true, message, via: 'untagged_legacy' };
    if (failure === 'unverified') failure = message ? 'untagged_ref' : 'unknown_message';
  }
  return { ok: false, reason: failure };
}

const normalized = (address: string): string | undefined => {
  const result = tryNormalizeAddress(address);
  return result.ok ? result.address : undefined;
};

/**
 * The events of a proven report that are about its message's recipient, rewritten to name that
 * recipient and that message; `others` counts the events about anyone else, which are ignored. An
 * event that names nobody (a redacted ARF, a text bounce without an address) is about the
 * recipient: the message says who that is.
 */
export function aboutRecipient(events: readonly ReportEvent[], message: FeedbackTarget): { events: FeedbackEvent[]; others: number } {
  const kept: FeedbackEvent[] = [];
  let others = 0;
  for (const { event, named } of events) {
    const aboutThem = named.length === 0 || named.some((a) => normalized(a) === message.to);
    if (!aboutThem) {
      others++;
      continue;
    }
    kept.push({ ...event, address: message.to, message: { ...event.message, messageId: message._id } });
  }
  return { events: kept, others };
}
