import type { FeedbackTarget } from '../messages/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';
import type { FeedbackMetrics } from './feedback-metrics.ts';
import type { FeedbackRepository } from './feedback-repository.ts';
import { messageRefFromVerp, type BounceDomains } from './message-ref.ts';
import type { ReceiveFeedback } from './receive-feedback.ts';
import { parseReportMail } from './report-mail.ts';
import { aboutRecipient, proveMessage } from './report-proof.ts';

export interface ReceiveReportMailDeps {
  receive: ReceiveFeedback;
  feedback: Pick<FeedbackRepository, 'storeUnverified'>;
  messages: { findForFeedback(id: string): Promise<FeedbackTarget | null> };
  tags: MessageTags;
  metrics: FeedbackMetrics;
  logger: Logger;
  /** The VERP domains of every stream. */
  bounceDomain: BounceDomains;
  complaintAddress: string | undefined;
}

/** What RCPT TO is answered: accepted, or refused with an SMTP reply and the reason it is counted under. */
export type RecipientVerdict = { ok: true } | { ok: false; code: number; message: string; reason: string };

const NOT_HERE = '5.1.1 No such mailbox here; this server takes only bounce and complaint reports';

/**
 * Bounce and complaint mail (docs/feedback.md): which recipients the listener takes, and what a
 * report is believed to say. A stranger can write anything, so:
 * - RCPT TO must be the complaint address or a VERP address whose keyed tag verifies (or, for a
 *   message enqueued before tags, its untagged form);
 * - a report changes state only when it proves one of our messages (report-proof.ts), and only
 *   about that message's recipient; everything else is counted, and a report that proves nothing is
 *   kept as `unverified` without the addresses it names.
 * Throws when the database cannot answer, so the SMTP layer answers 451 and the sender retries.
 */
export class ReceiveReportMail {
  constructor(private readonly deps: ReceiveReportMailDeps) {}

  async checkRecipient(address: string): Promise<RecipientVerdict> {
    const lower = address.toLowerCase();
    if (this.deps.complaintAddress !== undefined && lower === this.deps.complaintAddress) return { ok: true };
    const ref = messageRefFromVerp(lower, this.deps.bounceDomain);
    if (ref === undefined) return { ok: false, code: 550, message: NOT_HERE, reason: 'rcpt_not_ours' };
    if (ref.tag !== undefined) return this.deps.tags.verify(ref) ? { ok: true } : { ok: false, code: 550, message: NOT_HERE, reason: 'rcpt_bad_tag' };
    // The untagged form, for messages enqueued before tags only (see message.model.ts `tagged`).
    const message = await this.deps.messages.findForFeedback(ref.id);
    return message && !message.tagged ? { ok: true } : { ok: false, code: 550, message: NOT_HERE, reason: 'rcpt_untagged' };
  }

  async receive(raw: Buffer, envelopeTo: string[], receivedAt = new Date()): Promise<void> {
    const parsed = await parseReportMail({ raw, envelopeTo, bounceDomain: this.deps.bounceDomain, complaintAddress: this.deps.complaintAddress, receivedAt });
    if (parsed.kind !== 'report') {
      const reason = parsed.kind === 'autoreply' ? 'autoreply' : 'unparseable';
      this.drop(reason, parsed.kind === 'unparseable' ? { detail: parsed.reason.slice(0, 120) } : {});
      return;
    }
    const proof = await proveMessage(parsed.refs, { tags: this.deps.tags, find: (id) => this.deps.messages.findForFeedback(id) });
    const first = parsed.events[0]!.event;
    if (!proof.ok) {
      await this.deps.feedback.storeUnverified(
        { reportId: parsed.reportId, provider: first.provider, type: first.type, reason: proof.reason, headerMessageId: first.message.headerMessageId, named: parsed.events.length },
        receivedAt,
      );
      this.drop(proof.reason, { provider: first.provider, events: parsed.events.length });
      return;
    }
    const { events, others } = aboutRecipient(parsed.events, proof.message);
    if (others > 0) this.drop('other_recipient', { provider: first.provider, events: others }, others);
    if (proof.via === 'untagged_legacy') this.deps.logger.info({ event: 'feedback.untagged_report', provider: first.provider });
    if (events.length > 0) await this.deps.receive.receive(events, receivedAt);
  }

  /** Counts and logs what was not believed: counts only, never the addresses a stranger wrote. */
  private drop(reason: string, fields: Record<string, unknown>, count = 1): void {
    this.deps.metrics.dropped.inc({ reason }, count);
    this.deps.logger.info({ event: 'feedback.mail_dropped', reason, ...fields });
  }
}
