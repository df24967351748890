import type { Config } from '../config.ts';
import { AppError } from '../shared/errors.ts';
import { redactAddresses, type Logger } from '../shared/logger.ts';
import { sentOutcome, sentOutcomeOf, type FinalOutcome, type MessageMetrics, type MessageRecord, type MessageRepository, type OutcomeRecorder, type SentCheckpoint } from '../messages/index.ts';
import { decide, suppressAddress, type AddressState, type SubscriptionStore } from '../subscriptions/index.ts';
import type { RenderedMessage, TemplateRenderer } from '../templates/index.ts';
import { MicroBatcher } from '../shared/micro-batcher.ts';
import { classifySmtpReply } from '../feedback/index.ts';
import { StreamPaused } from './stream-pace.ts';
import { MessageHeld } from './message-held.ts';
import type { FrequencyCap } from './frequency-cap.ts';

import type { MailTransport, SendResult } from './transport.ts';

export interface SendDeps {
  messages: MessageRepository;
  store: SubscriptionStore;
  renderer: TemplateRenderer;
  transport: MailTransport;
  config: Pick<Config, 'consentMode' | 'mailFrom'>;
  /** Where a message becomes final: written, counted and told (messages/record-outcome.ts). */
  outcomes: OutcomeRecorder;
  metrics: MessageMetrics;
  logger: Logger;
  /** The reputation guard's hold on this stream's marketing (reputation/guard-gate.ts): in memory, no I/O. */
  guard?: MarketingHold;
  /** Batch window for the database reads of concurrent jobs. */
  batchWaitMs?: number;
  maxBatch?: number;
  /** Frequency caps (docs/rules.md §13); absent when none is configured: the send path makes no call for them. */
  frequencyCap?: FrequencyCap;
}

/** Whether marketing of the stream may go now; when not, until when its job waits (docs/rules.md §13). */
export interface MarketingHold {
  holdMarketing(jobId: string): Date | undefined;
}

export interface SendAttempt {
  /** 1 for the first attempt. */
  number: number;
  /** No retry follows if this attempt fails. */
  last: boolean;
  checkpoint: SentCheckpoint | undefined;
  saveCheckpoint(checkpoint: SentCheckpoint): Promise<void>;
}

export type SendOutcome =
  | { outcome: 'sent' }
  | { outcome: 'suppressed' | 'failed'; reason: string }
  /** Nothing to do: the record is gone, or already final (a retried or duplicated job). */
  | { outcome: 'skipped' };

/** Thrown for failures that a later attempt may get past (SMTP 4xx, connections, database). */
export class TransientSendError extends Error {
  override name = 'TransientSendError';
}

type Decided = NonNullable<FinalOutcome['decision']>;

/** A console test send (`record.test`) says so in its subject. */
export const TEST_SUBJECT_PREFIX = '[Test] ';

/**
 * The send use case the worker runs for one message id: load, skip if final, read the address
 * state, decide with the policy (docs/rules.md §1), render, send, record. Reads and writes of the
 * jobs running at the same moment are batched into one round trip each.
 */
export class MessageSender {
  private readonly states: MicroBatcher<string, AddressState>;
  private readonly records: MicroBatcher<string, { record: MessageRecord | null; final: boolean }>;

  // MicroBatcher rather than dataloader: it keeps one batch in flight while the next gathers
  // (group commit), so under load batches grow instead of round trips multiplying; and it caches
  // nothing, which the send-time check needs.
  constructor(private readonly deps: SendDeps) {
    const batch = { maxWaitMs: deps.batchWaitMs ?? 1, maxBatch: deps.maxBatch ?? 100 };
    this.states = new MicroBatcher({
      ...batch,
      run: async (addresses) => {
        const found = await deps.store.getMany([...new Set(addresses)]);
        return addresses.map((a) => {
          const state = found.get(a);
          // The store answers every address it was asked about; a gap is a bug, and we fail closed.
          if (!state) throw new Error('subscription store returned no state for an address');
          return state;
        });
      },
    });
    // The records of every job running now, and which of them are final already, in one `$in` each
    // (see docs/ferretdb.md for their cost there). Every run asks "final already?": after a Redis
    // failover to a replica that lagged, a job recorded `sent` is back in wait looking like a first run.
    this.records = new MicroBatcher({
      ...batch,
      run: async (ids) => {
        const [records, final] = await Promise.all([deps.messages.loadForSend(ids), deps.messages.finalAmong(ids)]);
        return records.map((record, i) => ({ record, final: final.has(ids[i]!) }));
      },
    });
  }

  async send(id: string, attempt: SendAttempt): Promise<SendOutcome> {
    const { record: message, final } = await this.transient('message store', () => this.records.submit(id));
    if (!message) {
      this.deps.logger.warn({ event: 'delivery.message_missing', messageId: id }, 'job for a message that does not exist; dropped');
      return { outcome: 'skipped' };
    }
    // Final already (an outcome exists, or a record finalised before outcomes had their own collection).
    if (final || message.status !== 'queued') return { outcome: 'skipped' };
    // The decision once made: every outcome recorded after it keeps it (docs/rules.md §1).
    const evidence: Pick<FinalOutcome, 'decision'> = {};
    try {
      return await this.deliver(message, attempt, evidence);
    } catch (err) {
      // Pacing and holding are no failure: the job waits, its attempt unspent (send-worker.ts).
      if (!attempt.last || err instanceof StreamPaused || err instanceof MessageHeld) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      // If the database is still down this cannot be written: the job fails with no outcome, and the
      // reconciler (messages/reconcile-messages.ts) records `retries_exhausted` once it answers.
      await this.finish(message, { status: 'failed', reason: 'retries_exhausted', detail: detail.slice(0, 500), attempts: attempt.number, ...evidence }).catch(() => undefined);
      throw err;
    }
  }

  private async deliver(message: MessageRecord, attempt: SendAttempt, evidence: Pick<FinalOutcome, 'decision'>): Promise<SendOutcome> {
    if (attempt.checkpoint) {
      await this.finish(message, sentOutcomeOf(attempt.checkpoint, attempt.number));
      return { outcome: 'sent' };
    }
    // A paused stream (or a guard state too old to trust) holds marketing before anything is read:
    // the job waits in the delayed set, attempts unspent (after the checkpoint: what went is recorded).
    const until = message.kind === 'marketing' ? this.deps.guard?.holdMarketing(message._id) : undefined;
    if (until) throw new MessageHeld('guard_paused', until);
    // Fail closed: without the current state nothing is sent; the job is retried later.
    const state = await this.transient('subscription store', () => this.states.submit(message.to));
    const { consentMode } = this.deps.config;
    const decision = decide({ kind: message.kind, subscriptionType: message.subscriptionType, state, mode: consentMode });
    // The state's version names the consent event it rests on: no read beyond the state's own.
    const decided: Decided = { rule: decision.rule, stateVersion: state.version, consentMode };
    evidence.decision = decided;
    if (!decision.send) {
      await this.finish(message, { status: 'suppressed', reason: decision.rule, attempts: attempt.number, ...evidence });
      return { outcome: 'suppressed', reason: decision.rule };
    }
    // Only once the policy said send, so a refused message takes no slot (docs/rules.md §13).
    const cap = this.deps.frequencyCap;
    if (cap?.applies(message)) {
      // Fail closed like the state read: without the count nothing is sent; the job is retried.
      const verdict = await this.transient('frequency cap', () => cap.take(message));
      if (!verdict.allowed) return this.capped(message, attempt, evidence, cap, verdict.freesAt);
      decided.frequencyCap = verdict.taken;
    }

    // Only a message pinned to a stored version has one to compile (once per process, then a map
    // read); file templates skip it. A database away is retried; a version that cannot be had fails below.
    let unprepared: AppError | undefined;
    if (message.templateVersion !== undefined && this.deps.renderer.prepare) {
      try {
        await this.deps.renderer.prepare(message.template, message.templateVersion);
      } catch (err) {
        if (!(err instanceof AppError)) throw new TransientSendError(`template store unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        unprepared = err;
      }
    }
    let rendered: RenderedMessage;
    try {
      if (unprepared) throw unprepared;
      if (!this.deps.renderer.get(message.template) && message.templateVersion === undefined) throw new AppError('unknown_template', `No template named "${message.template}"`);
      rendered = this.deps.renderer.render({
        template: message.template,
        ...(message.templateVersion === undefined ? {} : { templateVersion: message.templateVersion }),
        data: JSON.parse(message.data) as Record<string, unknown>,
        locale: message.locale,
        to: message.to,
        messageId: message._id,
        ...(message.subscriptionType === undefined ? {} : { subscriptionType: message.subscriptionType }),
      });
    } catch (err) {
      const reason = err instanceof AppError ? err.code : 'render_failed';
      const detail = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await this.finish(message, { status: 'failed', reason, detail, attempts: attempt.number, ...evidence });
      return { outcome: 'failed', reason };
    }

    const started = performance.now();
    let result: SendResult;
    try {
      result = await this.deps.transport.send({
        id: message._id,
        from: message.from ?? this.deps.config.mailFrom,
        to: message.to,
        ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
        subject: message.test === true ? `${TEST_SUBJECT_PREFIX}${rendered.subject}` : rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: rendered.headers,
      });
    } catch (err) {
      if (err instanceof StreamPaused) throw err;
      // The same classification as relay feedback: only a bad mailbox hard-bounces the recipient;
      // a refused sender (5.1.7/5.1.8) or a policy block (5.7.x) fails this message only.
      const failure = classifySmtpReply(err);
      if (!failure.permanent) throw new TransientSendError(`SMTP: ${failure.diagnostic}`, { cause: err });
      const hard = failure.type === 'hard_bounce';
      if (hard) {
        // The same rule as relay feedback (subscriptions/suppress-address.ts): never over a stronger suppression.
        await this.transient('subscription store', () =>
          suppressAddress(
            this.deps.store,
            message.to,
            { kind: 'hard_bounce', at: new Date(), source: 'bounce', detail: failure.diagnostic },
            {
              source: 'bounce',
              messageId: message._id,
              feedback: { provider: 'smtp', eventId: `smtp:${message._id}`, diagnostic: failure.diagnostic, ...(failure.statusCode ? { statusCode: failure.statusCode } : {}) },
            },
          ),
        );
      }
      const reason = hard ? 'hard_bounce' : 'smtp_rejected';
      await this.finish(message, { status: 'failed', reason, detail: failure.diagnostic, smtpResponse: failure.diagnostic, attempts: attempt.number, ...evidence });
      return { outcome: 'failed', reason };
    }
    this.deps.metrics.sendSeconds.observe({ kind: message.kind }, (performance.now() - started) / 1000);

    const sentAt = new Date();
    try {
      await this.finish(message, { ...sentOutcome(result, sentAt, attempt.number), ...evidence });
    } catch (err) {
      // Sent but not recorded: remember it on the job so the retry records instead of sending twice.
      await attempt.saveCheckpoint({ smtpMessageId: result.messageId, smtpResponse: result.response, sentAt: sentAt.toISOString(), ...(result.relay ? { relay: result.relay } : {}), ...evidence }).catch(() => undefined);
      throw err;
    }
    return { outcome: 'sent' };
  }

  /** Over a frequency cap: suppressed, or (FREQUENCY_CAP_ACTION=defer) held until a slot frees, its attempt unspent. */
  private async capped(message: MessageRecord, attempt: SendAttempt, evidence: Pick<FinalOutcome, 'decision'>, cap: FrequencyCap, freesAt: Date): Promise<SendOutcome> {
    // No address in the log (docs/rules.md §11): the message id leads to it for those allowed to see it.
    this.deps.logger.info({ event: 'delivery.frequency_capped', messageId: message._id, action: cap.action, freesAt: freesAt.toISOString() });
    if (cap.action === 'defer') throw new MessageHeld('frequency_capped', freesAt);
    if (evidence.decision) evidence.decision = { ...evidence.decision, rule: 'frequency_capped' };
    await this.finish(message, { status: 'suppressed', reason: 'frequency_capped', attempts: attempt.number, ...evidence });
    return { outcome: 'suppressed', reason: 'frequency_capped' };
  }

  private async finish(message: MessageRecord, set: FinalOutcome): Promise<void> {
    await this.transient('message store', () => this.deps.outcomes.record(message, set));
    // A slot taken for a send that then failed is given back (docs/rules.md §13); ZREM of a slot
    // never taken changes nothing. If Redis is away the slot stays until its window ends: one
    // message fewer, never one too many.
    const cap = this.deps.frequencyCap;
    if (set.status === 'failed' && cap?.applies(message)) {
      await cap.giveBack(message).catch((err: unknown) => this.deps.logger.warn({ event: 'delivery.frequency_cap_unreleased', messageId: message._id, err: err instanceof Error ? err.message : String(err) }));
    }
    // The record keeps the SMTP reply for operators; the log line carries no address (docs/rules.md §11).
    if (set.status === 'failed') this.deps.logger.warn({ event: 'delivery.failed', messageId: message._id, reason: set.reason, detail: set.detail === undefined ? undefined : redactAddresses(set.detail) });
  }

  /** Database and store failures are worth a retry; they surface as TransientSendError. */
  private async transient<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof TransientSendError) throw err;
      throw new TransientSendError(`${what} unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
