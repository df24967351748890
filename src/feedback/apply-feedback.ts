import { NO_EVENTS, outboxMark, type AppEventSink } from '../shared/app-events.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { ReputationEvents } from '../shared/reputation-events.ts';
import { messageEvent, type FeedbackTarget, type MessageRepository } from '../messages/index.ts';
import { suppressAddress, type ChangeContext, type ConsentEventView, type ErasureRestrictions, type StateChange, type SubscriptionStore, type SuppressionKind } from '../subscriptions/index.ts';
import { applyToErased } from './apply-to-erased.ts';
import { believedAboutAnyAddress } from './feedback-event.ts';
import type { FeedbackRecord } from './feedback-record.model.ts';
import type { FeedbackRepository } from './feedback-repository.ts';
import { mailgateIdFromHeaderMessageId } from './message-ref.ts';

export interface ApplyFeedbackDeps {
  feedback: FeedbackRepository;
  messages: MessageRepository;
  /** The state store, and the history to learn when an operator last lifted a soft-bounce suppression. */
  store: SubscriptionStore & { history(address: string): Promise<ConsentEventView[]> };
  /** Feedback about an erased address without a state goes on its erasure record (apply-to-erased.ts). */
  erasures: Pick<ErasureRestrictions, 'erasedKeys' | 'suppress'>;
  softBounceLimit: number;
  softBounceWindowDays: number;
  logger: Logger;
  /** Webhooks: message.bounced / message.complained for feedback that names a message. */
  events?: AppEventSink;
  /** The reputation guard's counters (docs/rules.md §13): bounces and complaints about our messages, once each. */
  reputation?: ReputationEvents;
  now?: () => Date;
}

type Applied = 'suppressed' | 'unsubscribed' | 'counted' | 'delayed' | 'unmatched' | 'nothing';

/**
 * Applies one stored feedback event (docs/feedback.md): hard bounce → `hard_bounce`; complaint →
 * `complaint`; soft bounces counted, and SOFT_BOUNCE_LIMIT of them in the window with no delivery
 * since → `soft_bounce`; a provider unsubscribe → the recipient's own unsubscribe (source
 * `provider`). Each change is a consent event naming the provider and its event. Feedback that
 * names a message moves it to `bounced` or `complained`. Re-running it changes nothing. Feedback
 * about an erased address that has no state goes on its erasure record instead (apply-to-erased.ts).
 */
export class ApplyFeedback {
  constructor(private readonly deps: ApplyFeedbackDeps) {}

  async apply(recordId: string): Promise<Applied> {
    const record = await this.deps.feedback.find(recordId);
    if (!record || record.appliedAt) return 'nothing';
    const messageId = await this.messageIdOf(record);
    const message = messageId ? await this.deps.messages.findForFeedback(messageId) : null;
    // Bounce mail is believed only about its message's recipient (report-proof.ts proved it on
    // receipt; this holds records stored before that rule too). An authenticated relay knows best:
    // its report for an address we never mailed still counts for that address.
    if (record.unverified !== undefined || (!believedAboutAnyAddress(record.provider) && (!message || (record.address !== null && record.address !== message.to)))) {
      await this.deps.feedback.markApplied(recordId, this.now());
      this.deps.logger.info({ event: 'feedback.not_believed', provider: record.provider, type: record.type, messageLinked: Boolean(message) });
      return 'unmatched';
    }
    if (record.type === 'delayed') return this.noteDelay(recordId, record, message?._id);
    const address = record.address ?? message?.to ?? null;
    let applied: Applied = 'unmatched';
    const erasedKey = await this.erasedKeyOf(record, address);
    if (erasedKey) applied = await applyToErased(this.deps, record, erasedKey, this.now());
    else if (address) applied = await this.applyToAddress(record, address, message?._id, message?.kind === 'marketing' ? message.subscriptionType : undefined);
    if (message && (record.type === 'hard_bounce' || record.type === 'complaint')) {
      const type = record.type === 'hard_bounce' ? 'message.bounced' : 'message.complained';
      const extra = { ...(record.statusCode ? { statusCode: record.statusCode } : {}), ...(record.diagnostic ? { diagnostic: record.diagnostic } : {}) };
      // One event per message and type: a relay that reports the same bounce twice tells it once.
      const event = messageEvent(message, type, extra, record.at);
      const events = this.deps.events ?? NO_EVENTS;
      // Written with the message's feedback (the outbox): a refused delivery insert leaves it to the sweep.
      const outbox = outboxMark(events, [event]);
      await this.deps.messages.recordFeedback(
        message._id,
        { type: record.type, at: record.at, provider: record.provider, eventId: record.eventId, ...extra },
        outbox,
      );
      await events.emit([event], outbox ? [{ collection: 'message_feedback', id: message._id }] : []);
    }
    this.countForReputation(record, message);
    await this.deps.feedback.markApplied(recordId, this.now());
    this.deps.logger.info({ event: 'feedback.applied', provider: record.provider, type: record.type, outcome: applied, messageLinked: Boolean(message) });
    return applied;
  }

  /**
   * Only here, just before the record is marked applied: a replayed event finds it applied and
   * returns above, so it is counted once (a crash between the two counts it again: over, never under).
   */
  private countForReputation(record: FeedbackRecord, message: FeedbackTarget | null): void {
    if (!message || !this.deps.reputation) return;
    if (record.type !== 'hard_bounce' && record.type !== 'soft_bounce' && record.type !== 'complaint') return;
    this.deps.reputation.count({ kind: record.type, stream: message.stream, from: message.from, to: message.to, template: message.template, subscriptionType: message.subscriptionType });
  }

  private async applyToAddress(record: FeedbackRecord, address: string, messageId: string | undefined, messageType: string | undefined): Promise<Applied> {
    const context: ChangeContext = {
      source: record.type === 'complaint' ? 'complaint' : record.type === 'unsubscribe' ? 'provider' : 'bounce',
      ...(messageId ? { messageId } : {}),
      feedback: {
        provider: record.provider,
        eventId: record.eventId,
        ...(record.statusCode ? { statusCode: record.statusCode } : {}),
        ...(record.diagnostic ? { diagnostic: record.diagnostic } : {}),
      },
    };
    switch (record.type) {
      case 'hard_bounce':
        return this.suppress(address, 'hard_bounce', record, context);
      case 'complaint':
        return this.suppress(address, 'complaint', record, context);
      case 'soft_bounce': {
        const windowStart = this.now().getTime() - this.deps.softBounceWindowDays * 86_400_000;
        // Soft bounces before an operator lifted a soft-bounce suppression are forgiven with it.
        const lifted = await this.lastSoftBounceLift(address);
        const since = new Date(Math.max(windowStart, lifted?.getTime() ?? 0));
        const count = await this.deps.feedback.softBouncesSinceDelivery(address, since);
        if (count < this.deps.softBounceLimit) return 'counted';
        return this.suppress(address, 'soft_bounce', record, context);
      }
      case 'unsubscribe': {
        const type = record.scope === 'all' ? undefined : (record.subscriptionType ?? messageType);
        const change: StateChange = type ? { subscriptions: { [type]: 'unsubscribed' } } : { optedOutOfAll: true };
        try {
          await this.deps.store.apply(address, change, context);
        } catch (err) {
          // A type that is no longer in the catalog: opting out of all is what the recipient asked at least.
          if (!(err instanceof AppError) || err.code !== 'unknown_subscription_type') throw err;
          await this.deps.store.apply(address, { optedOutOfAll: true }, context);
        }
        return 'unsubscribed';
      }
      default:
        return 'nothing';
    }
  }

  private async suppress(address: string, kind: SuppressionKind, record: FeedbackRecord, context: ChangeContext): Promise<Applied> {
    const detail = [record.statusCode, record.diagnostic].filter(Boolean).join(' ').slice(0, 500);
    const result = await suppressAddress(this.deps.store, address, { kind, at: record.at, source: context.source, ...(detail ? { detail } : {}) }, context);
    return result === 'suppressed' ? 'suppressed' : 'nothing';
  }

  /**
   * A relay still trying (docs/feedback.md): kept on the message it names, as its latest delay
   * warning; nothing changes for the address, and it never counts toward SOFT_BOUNCE_LIMIT.
   */
  private async noteDelay(recordId: string, record: FeedbackRecord, messageId: string | undefined): Promise<Applied> {
    if (messageId) {
      await this.deps.messages.recordDelay(messageId, {
        at: record.at,
        provider: record.provider,
        eventId: record.eventId,
        ...(record.statusCode ? { statusCode: record.statusCode } : {}),
        ...(record.diagnostic ? { diagnostic: record.diagnostic } : {}),
      });
    }
    await this.deps.feedback.markApplied(recordId, this.now());
    this.deps.logger.info({ event: 'feedback.applied', provider: record.provider, type: record.type, outcome: 'delayed', messageLinked: Boolean(messageId) });
    return 'delayed';
  }

  private async lastSoftBounceLift(address: string): Promise<Date | undefined> {
    const events = await this.deps.store.history(address);
    const lift = events.findLast((e) => e.before.suppression?.kind === 'soft_bounce' && e.after.suppression === null);
    return lift?.at;
  }

  /**
   * The erasure record's key when the event is about an erased address with no state: filed so when
   * stored (erased-feedback.ts), or — for a report that named only a message — its recipient's.
   */
  private async erasedKeyOf(record: FeedbackRecord, address: string | null): Promise<string | undefined> {
    if (record.erasedKey) return record.erasedKey;
    if (record.address !== null || address === null) return undefined;
    return (await this.deps.erasures.erasedKeys([address])).get(address);
  }

  /** Our message id: named directly (VERP, our Message-ID) or through the relay's id from its 250 reply. */
  private async messageIdOf(record: FeedbackRecord): Promise<string | undefined> {
    const ref = record.message ?? {};
    const direct = ref.messageId ?? mailgateIdFromHeaderMessageId(ref.headerMessageId);
    if (direct) return direct;
    return ref.relayMessageId ? this.deps.messages.idForRelayId(ref.relayMessageId) : undefined;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
