import { AppError, unavailable } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import type { TemplateRenderer } from '../templates/index.ts';
import { checkMessage, prepareStoredTemplates } from './check-message.ts';
import { enqueueTest, type TestMessageInput } from './enqueue-test.ts';
import { MAX_BATCH, type InputError, type MessageInput, type BatchItemResult, type BatchResult, type EnqueueResult } from '../contract/index.ts';
import type { MessageRecord } from './message.model.ts';
import type { MessageMetrics } from './message-metrics.ts';
import type { MessageRepository } from './message-repository.ts';
import type { SendJobs } from './send-jobs.ts';
import type { StreamRouter } from './stream-routing.ts';

export interface EnqueueDeps {
  messages: MessageRepository;
  jobs: SendJobs;
  renderer: TemplateRenderer;
  catalog: SubscriptionCatalog;
  /** Which stream each message leaves by (stored on its record). */
  router: StreamRouter;
  logger: Logger;
  metrics: MessageMetrics;
}

export interface EnqueueOptions {
  /** The `Idempotency-Key` header; must match `idempotencyKey` in the body when both are given. */
  idempotencyKey?: string;
}

const toAppError = (error: InputError) => new AppError(error.code, error.message, { status: error.status, details: error.details });
const storeUnavailable = (err: unknown) => unavailable('service_unavailable', 'The message store is unavailable; try again', err);

/**
 * The enqueue use case: validate, write the message record (status `queued`), then add its job.
 * The record comes first so the worker always finds it; if the job cannot be added the record is
 * removed again and the caller gets 503, never 202 for a message that is not safely stored.
 * Idempotency rides on a unique index: a repeated key finds the first record, and its job is
 * added again (a no-op in BullMQ while the job exists, a repair if an earlier add was lost).
 */
export class MessageEnqueuer {
  constructor(private readonly deps: EnqueueDeps) {}

  async enqueue(input: MessageInput | unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    await prepareStoredTemplates(this.deps.renderer, [input]);
    const checked = checkMessage(this.deps, input, options.idempotencyKey);
    if (!checked.ok) throw toAppError(checked.error);
    const { record, parsed } = checked;
    this.deps.jobs.assertReady();
    const inserted = await this.deps.messages.insert(record).catch((err: unknown) => {
      throw storeUnavailable(err);
    });
    if (inserted === 'duplicate') {
      const existing = await this.findByKeys([record.idempotencyKey]).then((found) => found.get(record.idempotencyKey));
      if (!existing) throw unavailable('service_unavailable', 'The message is being written by another request; try again');
      if (existing.status === 'queued') await this.deps.jobs.add([existing]);
      return { id: existing._id, status: existing.status };
    }
    try {
      await this.deps.jobs.add([record]);
    } catch (err) {
      await this.forget([record._id]);
      throw err;
    }
    this.deps.metrics.enqueued.inc({ kind: parsed.kind });
    return { id: record._id, status: 'queued' };
  }

  /** A console test send of any template to the operator (enqueue-test.ts): transactional, `test: true`, subject "[Test] …". */
  enqueueTest(input: TestMessageInput): Promise<EnqueueResult> {
    return enqueueTest(this.deps, input);
  }

  /** Up to MAX_BATCH messages: one insert and one job round trip for the whole batch. */
  async enqueueBatch(items: unknown[]): Promise<BatchResult> {
    if (items.length > MAX_BATCH) throw new AppError('too_many_messages', `A batch holds at most ${MAX_BATCH} messages`, { status: 400 });
    const results: BatchItemResult[] = new Array<BatchItemResult>(items.length);
    const records: MessageRecord[] = [];
    const slots: number[] = []; // records[i] answers results[slots[i]]
    await prepareStoredTemplates(this.deps.renderer, items);
    items.forEach((item, index) => {
      const checked = checkMessage(this.deps, item, undefined);
      if (!checked.ok) {
        results[index] = { error: { code: checked.error.code, message: checked.error.message, details: checked.error.details } };
      } else {
        records.push(checked.record);
        slots.push(index);
      }
    });
    if (records.length === 0) return { results };
    this.deps.jobs.assertReady();

    let duplicates: Set<number>;
    try {
      duplicates = await this.deps.messages.insertMany(records);
    } catch (err) {
      // Whatever did get written must not stay without a job: remove it (best effort), answer 503.
      await this.forget(records.map((r) => r._id));
      throw storeUnavailable(err);
    }

    const inserted = records.filter((_, i) => !duplicates.has(i));
    const existing = duplicates.size > 0 ? await this.findByKeys([...duplicates].map((i) => records[i]!.idempotencyKey)) : new Map<string, Existing>();
    try {
      await this.deps.jobs.add(inserted);
      await this.deps.jobs.add([...existing.values()].filter((r) => r.status === 'queued'));
    } catch (err) {
      await this.forget(inserted.map((r) => r._id));
      throw err;
    }

    records.forEach((record, i) => {
      const slot = slots[i]!;
      if (!duplicates.has(i)) {
        results[slot] = { id: record._id, status: 'queued' };
        this.deps.metrics.enqueued.inc({ kind: record.kind });
        return;
      }
      const first = existing.get(record.idempotencyKey);
      results[slot] = first
        ? { id: first._id, status: first.status }
        : { error: { code: 'service_unavailable', message: 'A message with this idempotency key is being written; try again' } };
    });
    return { results };
  }

  private async findByKeys(keys: string[]): Promise<Map<string, Existing>> {
    try {
      return await this.deps.messages.findByKeys(keys);
    } catch (err) {
      throw storeUnavailable(err);
    }
  }

  /**
   * Removes records whose jobs could not be added. If the database is also away they stay `queued`
   * without a job: a retry with the same idempotency key re-adds the job; the log names the ids.
   */
  private async forget(ids: string[]): Promise<void> {
    try {
      await this.deps.messages.deleteMany(ids);
    } catch (err) {
      this.deps.logger.error({ event: 'messages.enqueue_orphans', count: ids.length, ids: ids.slice(0, 20), err }, 'could not remove records whose job was not added');
    }
  }
}

type Existing = Awaited<ReturnType<MessageRepository['findByKeys']>> extends Map<string, infer V> ? V : never;

