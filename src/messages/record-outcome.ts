import { NO_EVENTS, outboxMark, type AppEvent, type AppEventSink, type OutboxMark } from '../shared/app-events.ts';
import { MicroBatcher } from '../shared/micro-batcher.ts';
import type { ReputationEvents } from '../shared/reputation-events.ts';
import { outcomeEvent, type MessageOfEvent } from './message-events.ts';
import type { MessageMetrics } from './message-metrics.ts';
import type { OutcomeDecision } from './message-outcome.model.ts';
import type { FinalOutcome, MessageRepository } from './message-repository.ts';
import type { MessageRecord } from './message.model.ts';
import { relayIdFromReply } from './relay-id.ts';

/**
 * What an attempt that sent but could not record its outcome keeps on its job, so that the retry
 * (or the reconciler, once the job gave up) records `sent` instead of sending twice.
 */
export interface SentCheckpoint {
  smtpMessageId: string;
  smtpResponse: string;
  sentAt: string;
  /** The decision that let it go, so the recorded outcome keeps it too. */
  decision?: OutcomeDecision;
  relay?: string;
}

/** The relay's answer to a send: the Message-ID we sent and its final SMTP reply. */
export interface SmtpResult {
  messageId: string;
  response: string;
  /** The relay that took it, without credentials. */
  relay?: string;
}

/** The `sent` outcome of an SMTP result, with the relay's own id when its reply names one (feedback matches on it). */
export function sentOutcome(result: SmtpResult, sentAt: Date, attempts: number): FinalOutcome {
  const relayMessageId = relayIdFromReply(result.response);
  return {
    status: 'sent',
    smtpResponse: result.response.slice(0, 500),
    smtpMessageId: result.messageId,
    ...(relayMessageId ? { relayMessageId } : {}),
    ...(result.relay ? { relay: result.relay } : {}),
    sentAt,
    attempts,
  };
}

/** The `sent` outcome an attempt kept on its job before it could record it. */
export function sentOutcomeOf(checkpoint: SentCheckpoint, attempts: number): FinalOutcome {
  const sent = sentOutcome({ messageId: checkpoint.smtpMessageId, response: checkpoint.smtpResponse, ...(checkpoint.relay ? { relay: checkpoint.relay } : {}) }, new Date(checkpoint.sentAt), attempts);
  return checkpoint.decision ? { ...sent, decision: checkpoint.decision } : sent;
}

export interface RecordOutcomeDeps {
  messages: Pick<MessageRepository, 'recordOutcomes'>;
  metrics?: MessageMetrics;
  /** Webhooks: each outcome is told as message.sent / .suppressed / .failed (free when no endpoint wants it). */
  events?: AppEventSink;
  /** Batch window for the writes of concurrent sends. */
  batch?: { maxWaitMs: number; maxBatch: number };
  /** The reputation guard's counters (docs/rules.md §13): a send, and a synchronous hard bounce. In memory; never waits. */
  reputation?: ReputationEvents;
}

/** A message as its outcome is recorded: what its event tells, and where it left from (the guard counts by both). */
export type RecordedMessage = MessageOfEvent & Partial<Pick<MessageRecord, 'stream' | 'from'>>;

/**
 * The one room where a message becomes final (sent, suppressed or failed): the outcome is written
 * once (insert-only: a second write of the same message changes nothing), counted, and told to the
 * application. The send worker and the reconciler both record through it. Writes of sends finishing
 * at the same moment share one round trip.
 */
export class OutcomeRecorder {
  private readonly writes: MicroBatcher<{ id: string; outcome: FinalOutcome; outbox?: OutboxMark }, void>;
  private readonly events: AppEventSink;

  constructor(private readonly deps: RecordOutcomeDeps) {
    const batch = deps.batch ?? { maxWaitMs: 1, maxBatch: 100 };
    this.events = deps.events ?? NO_EVENTS;
    this.writes = new MicroBatcher({
      ...batch,
      run: async (items) => {
        await deps.messages.recordOutcomes(items);
        return items.map((): void => undefined);
      },
    });
  }

  /**
   * One message's outcome. Throws when it cannot be written (the caller retries); counts and tells it
   * once written. Its event goes into the outcome's insert as the outbox mark when an endpoint wants
   * it (docs/architecture.md "Outbox"), so a crash or a refused delivery insert cannot lose it.
   */
  async record(message: RecordedMessage, outcome: FinalOutcome): Promise<void> {
    const event = outcomeEvent(message, outcome);
    const outbox = outboxMark(this.events, [event]);
    await this.writes.submit({ id: message._id, outcome, ...(outbox ? { outbox } : {}) });
    this.told([{ message, outcome }]);
    await this.events.emit([event], outbox ? [{ collection: 'message_outcomes', id: message._id }] : []);
  }

  /** Several outcomes in one write (the reconciler). */
  async recordMany(items: { message: RecordedMessage; outcome: FinalOutcome }[]): Promise<void> {
    if (items.length === 0) return;
    const written = items.map(({ message, outcome }) => {
      const event: AppEvent = outcomeEvent(message, outcome);
      return { id: message._id, outcome, event, outbox: outboxMark(this.events, [event]) };
    });
    await this.deps.messages.recordOutcomes(written.map(({ id, outcome, outbox }) => ({ id, outcome, ...(outbox ? { outbox } : {}) })));
    this.told(items);
    await this.events.emit(
      written.map((w) => w.event),
      written.filter((w) => w.outbox).map((w) => ({ collection: 'message_outcomes' as const, id: w.id })),
    );
  }

  private told(items: { message: RecordedMessage; outcome: FinalOutcome }[]): void {
    for (const { message, outcome } of items) {
      this.deps.metrics?.outcomes.inc({ kind: message.kind, outcome: outcome.status, reason: outcome.reason ?? '' });
      // A relay's 550 for the mailbox is a send that hard-bounced at once: both count (docs/rules.md §13).
      const hardBounced = outcome.status === 'failed' && outcome.reason === 'hard_bounce';
      if (!this.deps.reputation || (outcome.status !== 'sent' && !hardBounced)) continue;
      const event = { stream: message.stream, from: message.from, to: message.to, template: message.template, subscriptionType: message.subscriptionType };
      this.deps.reputation.count({ kind: 'send', ...event });
      if (hardBounced) this.deps.reputation.count({ kind: 'hard_bounce', ...event });
    }
  }
}
