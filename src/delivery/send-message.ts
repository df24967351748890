import type { Config } from '../config.ts';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { decide } from '../subscriptions/policy.ts';
import type { SubscriptionStore } from '../subscriptions/subscription-store.ts';
import type { AddressState } from '../subscriptions/types.ts';
import type { RenderedMessage, TemplateRenderer } from '../templates/types.ts';
import type { MessageMetrics } from '../messages/message-metrics.ts';
import { messageCollection, type MessageModel, type MessageRecord } from '../messages/message.model.ts';
import { outcomeCollection, type MessageOutcome } from '../messages/message-outcome.model.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { classifySmtpFailure } from './smtp-failure.ts';
import type { MailTransport, SendResult } from './transport.ts';

export interface SendDeps {
  model: MessageModel;
  store: SubscriptionStore;
  renderer: TemplateRenderer;
  transport: MailTransport;
  config: Pick<Config, 'consentMode' | 'mailFrom'>;
  metrics: MessageMetrics;
  logger: Logger;
  /** Batch window for the database reads and writes of concurrent jobs. */
  batchWaitMs?: number;
  maxBatch?: number;
}

/** What an earlier attempt sent but could not record (kept on the job, so a retry records instead of re-sending). */
export interface SentCheckpoint {
  smtpMessageId: string;
  smtpResponse: string;
  sentAt: string;
}

export interface SendAttempt {
  /** 1 for the first attempt. */
  number: number;
  /** No retry follows if this attempt fails. */
  last: boolean;
  /**
   * True only on the first run of a job added together with a new record, when no outcome can
   * exist yet: the outcome read is skipped (on FerretDB a read that finds nothing scans the whole
   * collection). Anything else — absent, retries, stalled jobs, re-added jobs — reads it.
   */
  fresh?: boolean;
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

type Final = Omit<MessageOutcome, '_id'>;

const DUPLICATE_KEY = 11000;

/** The write errors of a failed unordered insertMany, if that is what failed. */
const writeErrorsOf = (err: unknown): { code?: unknown }[] | undefined => {
  const errors = (err as { writeErrors?: unknown } | null)?.writeErrors;
  if (Array.isArray(errors)) return errors as { code?: unknown }[];
  return errors && typeof errors === 'object' ? [errors as { code?: unknown }] : undefined;
};

const LOAD_PROJECTION = { idempotencyKey: 0, smtpResponse: 0, smtpMessageId: 0 } as const;

/**
 * The send use case the worker runs for one message id: load, skip if final, read the address
 * state, decide with the policy (PRODUCT.md §1), render, send, record. Reads and writes of the
 * jobs running at the same moment are batched into one round trip each.
 */
export class MessageSender {
  private readonly outcomes;
  private readonly states: MicroBatcher<string, AddressState>;
  private readonly records: MicroBatcher<string, MessageRecord | null>;
  private readonly writes: MicroBatcher<{ id: string; set: Final }, void>;

  constructor(private readonly deps: SendDeps) {
    const collection = messageCollection(deps.model);
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
    this.records = new MicroBatcher({
      ...batch,
      run: async (ids) => {
        // One `$in` for the records of every job running now: an index lookup on MongoDB, and one
        // collection scan per batch instead of one per message on FerretDB (which uses no index for
        // a find by _id: a new record, always the last one inserted, costs a full scan).
        const found = await collection.find({ _id: { $in: [...new Set(ids)] } }, { projection: LOAD_PROJECTION }).toArray();
        const byId = new Map(found.map((r) => [r._id, r as MessageRecord]));
        return ids.map((id) => byId.get(id) ?? null);
      },
    });
    const outcomes = outcomeCollection(deps.model);
    this.outcomes = outcomes;
    this.writes = new MicroBatcher({
      ...batch,
      run: async (items) => {
        // Outcomes are inserted, never updated (FerretDB scans the collection for every update).
        // A duplicate _id means the message is already final: the first outcome stands.
        try {
          await outcomes.insertMany(
            items.map(({ id, set }) => ({ ...set, _id: id })),
            { ordered: false },
          );
        } catch (err) {
          const errors = writeErrorsOf(err);
          if (!errors || errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
        }
        return items.map((): void => undefined);
      },
    });
  }

  async send(id: string, attempt: SendAttempt): Promise<SendOutcome> {
    // The record comes from a batched `$in` (see `records`); unless the job is fresh, its outcome is
    // looked up beside it.
    const [message, outcome] = await this.transient('message store', () =>
      Promise.all([
        this.records.submit(id),
        attempt.fresh === true ? null : this.outcomes.findOne({ _id: id }, { projection: { _id: 1 } }),
      ]),
    );
    if (!message) {
      this.deps.logger.warn({ event: 'delivery.message_missing', messageId: id }, 'job for a message that does not exist; dropped');
      return { outcome: 'skipped' };
    }
    // Final already (an outcome exists, or a record finalised before outcomes had their own collection).
    if (outcome || message.status !== 'queued') return { outcome: 'skipped' };
    try {
      return await this.deliver(message, attempt);
    } catch (err) {
      if (!attempt.last) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      await this.finish(message, { status: 'failed', reason: 'retries_exhausted', detail: detail.slice(0, 500), attempts: attempt.number }).catch(() => undefined);
      throw err;
    }
  }

  private async deliver(message: MessageRecord, attempt: SendAttempt): Promise<SendOutcome> {
    if (attempt.checkpoint) {
      const c = attempt.checkpoint;
      await this.recordSent(message, attempt, { messageId: c.smtpMessageId, response: c.smtpResponse }, new Date(c.sentAt));
      return { outcome: 'sent' };
    }
    // Fail closed: without the current state nothing is sent; the job is retried later.
    const state = await this.transient('subscription store', () => this.states.submit(message.to));
    const decision = decide({ kind: message.kind, subscriptionType: message.subscriptionType, state, mode: this.deps.config.consentMode });
    if (!decision.send) {
      await this.finish(message, { status: 'suppressed', reason: decision.reason, attempts: attempt.number });
      return { outcome: 'suppressed', reason: decision.reason };
    }

    let rendered: RenderedMessage;
    try {
      if (!this.deps.renderer.get(message.template)) throw new AppError('unknown_template', `No template named "${message.template}"`);
      rendered = this.deps.renderer.render({
        template: message.template,
        data: JSON.parse(message.data) as Record<string, unknown>,
        locale: message.locale,
        to: message.to,
        messageId: message._id,
        ...(message.subscriptionType === undefined ? {} : { subscriptionType: message.subscriptionType }),
      });
    } catch (err) {
      const reason = err instanceof AppError ? err.code : 'render_failed';
      const detail = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await this.finish(message, { status: 'failed', reason, detail, attempts: attempt.number });
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
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: rendered.headers,
      });
    } catch (err) {
      const failure = classifySmtpFailure(err);
      if (!failure.permanent) throw new TransientSendError(`SMTP: ${failure.response}`, { cause: err });
      if (failure.badMailbox) {
        await this.transient('subscription store', () =>
          this.deps.store.apply(
            message.to,
            { suppression: { kind: 'hard_bounce', at: new Date(), source: 'bounce', detail: failure.response } },
            { source: 'bounce', messageId: message._id },
          ),
        );
      }
      const reason = failure.badMailbox ? 'hard_bounce' : 'smtp_rejected';
      await this.finish(message, { status: 'failed', reason, detail: failure.response, smtpResponse: failure.response, attempts: attempt.number });
      return { outcome: 'failed', reason };
    }
    this.deps.metrics.sendSeconds.observe({ kind: message.kind }, (performance.now() - started) / 1000);

    const sentAt = new Date();
    try {
      await this.recordSent(message, attempt, result, sentAt);
    } catch (err) {
      // Sent but not recorded: remember it on the job so the retry records instead of sending twice.
      await attempt.saveCheckpoint({ smtpMessageId: result.messageId, smtpResponse: result.response, sentAt: sentAt.toISOString() }).catch(() => undefined);
      throw err;
    }
    return { outcome: 'sent' };
  }

  private async recordSent(message: MessageRecord, attempt: SendAttempt, result: SendResult, sentAt: Date): Promise<void> {
    await this.finish(message, {
      status: 'sent',
      smtpResponse: result.response.slice(0, 500),
      smtpMessageId: result.messageId,
      sentAt,
      attempts: attempt.number,
    });
  }

  private async finish(message: MessageRecord, set: Final): Promise<void> {
    await this.transient('message store', () => this.writes.submit({ id: message._id, set }));
    this.deps.metrics.outcomes.inc({ kind: message.kind, outcome: set.status, reason: set.reason ?? '' });
    if (set.status === 'failed') this.deps.logger.warn({ event: 'delivery.failed', messageId: message._id, reason: set.reason, detail: set.detail });
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
