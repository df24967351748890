import { Types } from 'mongoose';
import type { Queue } from 'bullmq';
import { AppError, unavailable } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog } from '../subscriptions/catalog.ts';
import type { TemplateRenderer } from '../templates/types.ts';
import {
  MAX_BATCH,
  parseMessageInput,
  type BatchItemResult,
  type BatchResult,
  type EnqueueResult,
  type InputError,
  type MessageInput,
  type ParsedMessage,
} from './message-input.ts';
import { idempotencyKeyFor, messageCollection, type MessageModel, type MessageRecord } from './message.model.ts';
import type { MessageMetrics } from './message-metrics.ts';
import { findOutcomes, withOutcome } from './message-outcome.model.ts';
import { SEND_JOB, sendJobOptions, type SendJobData } from './send-job.ts';

export interface EnqueueDeps {
  model: MessageModel;
  queue: Queue<SendJobData>;
  renderer: TemplateRenderer;
  catalog: SubscriptionCatalog;
  logger: Logger;
  metrics: MessageMetrics;
  /** Bound on each Redis call, so a dead Redis answers 503 quickly instead of hanging the request. */
  redisTimeoutMs?: number;
  /** False while the queue's Redis connection is down: enqueue answers 503 at once instead of waiting. */
  queueReady?: () => boolean;
}

export interface EnqueueOptions {
  /** The `Idempotency-Key` header; must match `idempotencyKey` in the body when both are given. */
  idempotencyKey?: string;
}

type Checked = { ok: true; record: MessageRecord; parsed: ParsedMessage } | { ok: false; error: InputError };

const DUPLICATE_KEY = 11000;
const isDuplicateKey = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;

const toAppError = (error: InputError) => new AppError(error.code, error.message, { status: error.status, details: error.details });

interface WriteErrorLike {
  index: number;
  code?: number;
}

/** The per-item write errors of a failed unordered insertMany, or undefined if it failed as a whole. */
function writeErrorsOf(err: unknown): WriteErrorLike[] | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const list = (err as { writeErrors?: unknown }).writeErrors;
  if (list === undefined) return undefined;
  const items = Array.isArray(list) ? list : [list];
  return items.filter((e): e is WriteErrorLike => typeof e === 'object' && e !== null && typeof (e as WriteErrorLike).index === 'number');
}

/**
 * The enqueue use case: validate, write the message record (status `queued`), then add its job.
 * The record comes first so the worker always finds it; if the job cannot be added the record is
 * removed again and the caller gets 503, never 202 for a message that is not safely stored.
 * Idempotency rides on a unique index: a repeated key finds the first record, and its job is
 * added again (a no-op in BullMQ while the job exists, a repair if an earlier add was lost).
 */
export class MessageEnqueuer {
  private readonly redisTimeoutMs: number;
  private readonly collection;

  constructor(private readonly deps: EnqueueDeps) {
    this.redisTimeoutMs = deps.redisTimeoutMs ?? 3000;
    this.collection = messageCollection(deps.model);
  }

  async enqueue(input: MessageInput | unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const checked = this.check(input, options.idempotencyKey);
    if (!checked.ok) throw toAppError(checked.error);
    const { record, parsed } = checked;
    this.assertQueueReady();
    try {
      await this.collection.insertOne(record);
    } catch (err) {
      if (!isDuplicateKey(err)) throw unavailable('service_unavailable', 'The message store is unavailable; try again', err);
      const existing = await this.findByKeys([record.idempotencyKey]).then((found) => found.get(record.idempotencyKey));
      if (!existing) throw unavailable('service_unavailable', 'The message is being written by another request; try again', err);
      if (existing.status === 'queued') await this.addJobs([existing], true);
      return { id: existing._id, status: existing.status };
    }
    try {
      await this.addJobs([record]);
    } catch (err) {
      await this.forget([record._id]);
      throw err;
    }
    this.deps.metrics.enqueued.inc({ kind: parsed.kind });
    return { id: record._id, status: 'queued' };
  }

  /** Up to MAX_BATCH messages: one insert and one job round trip for the whole batch. */
  async enqueueBatch(items: unknown[]): Promise<BatchResult> {
    if (items.length > MAX_BATCH) throw new AppError('too_many_messages', `A batch holds at most ${MAX_BATCH} messages`, { status: 400 });
    const results: BatchItemResult[] = new Array<BatchItemResult>(items.length);
    const records: MessageRecord[] = [];
    const slots: number[] = []; // records[i] answers results[slots[i]]
    items.forEach((item, index) => {
      const checked = this.check(item, undefined);
      if (!checked.ok) {
        results[index] = { error: { code: checked.error.code, message: checked.error.message, details: checked.error.details } };
      } else {
        records.push(checked.record);
        slots.push(index);
      }
    });
    if (records.length === 0) return { results };
    this.assertQueueReady();

    const duplicates = new Set<number>();
    try {
      await this.collection.insertMany(records, { ordered: false });
    } catch (err) {
      const writeErrors = writeErrorsOf(err);
      if (!writeErrors || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) {
        // Whatever did get written must not stay without a job: remove it (best effort), answer 503.
        const failed = new Set((writeErrors ?? []).map((e) => e.index));
        await this.forget(records.filter((_, i) => !failed.has(i)).map((r) => r._id));
        throw unavailable('service_unavailable', 'The message store is unavailable; try again', err);
      }
      for (const e of writeErrors) duplicates.add(e.index);
    }

    const inserted = records.filter((_, i) => !duplicates.has(i));
    const existing = duplicates.size > 0 ? await this.findByKeys([...duplicates].map((i) => records[i]!.idempotencyKey)) : new Map<string, MessageRecord>();
    const repairs = [...existing.values()].filter((r) => r.status === 'queued');
    try {
      await this.addJobs(inserted);
      await this.addJobs(repairs, true);
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

  /** Everything but storage: shape, addresses, template, subscription type. */
  private check(input: unknown, headerKey: string | undefined): Checked {
    const result = parseMessageInput(input, headerKey);
    if (!result.ok) return result;
    const parsed = result.message;
    const template = this.deps.renderer.get(parsed.template);
    if (!template) return { ok: false, error: { status: 422, code: 'unknown_template', message: `No template named "${parsed.template}"` } };
    if (template.kind !== parsed.kind) {
      return {
        ok: false,
        error: { status: 422, code: 'template_kind_mismatch', message: `Template "${parsed.template}" is for ${template.kind} messages, not ${parsed.kind}` },
      };
    }
    if (parsed.kind === 'marketing') {
      const type = parsed.subscriptionType!;
      if (!this.deps.catalog.has(type)) {
        return { ok: false, error: { status: 422, code: 'unknown_subscription_type', message: `No subscription type "${type}"` } };
      }
      if (template.subscriptionType !== undefined && template.subscriptionType !== type) {
        return {
          ok: false,
          error: {
            status: 422,
            code: 'subscription_type_mismatch',
            message: `Template "${parsed.template}" belongs to subscription type "${template.subscriptionType}", not "${type}"`,
          },
        };
      }
    }
    const id = new Types.ObjectId().toHexString();
    const record: MessageRecord = {
      _id: id,
      kind: parsed.kind,
      to: parsed.to,
      template: parsed.template,
      data: JSON.stringify(parsed.data),
      locale: parsed.locale,
      idempotencyKey: idempotencyKeyFor(id, parsed.idempotencyKey),
      status: 'queued',
      attempts: 0,
      createdAt: new Date(),
    };
    if (parsed.subscriptionType !== undefined) record.subscriptionType = parsed.subscriptionType;
    if (parsed.from !== undefined) record.from = parsed.from;
    if (parsed.replyTo !== undefined) record.replyTo = parsed.replyTo;
    if (parsed.sendAt !== undefined) record.sendAt = parsed.sendAt;
    return { ok: true, record, parsed };
  }

  private assertQueueReady(): void {
    if (this.deps.queueReady && !this.deps.queueReady()) throw unavailable('service_unavailable', 'The send queue is unavailable; try again');
  }

  private async findByKeys(keys: string[]): Promise<Map<string, MessageRecord>> {
    try {
      const found = await this.collection
        .find({ idempotencyKey: { $in: keys } }, { projection: { _id: 1, idempotencyKey: 1, status: 1, sendAt: 1, kind: 1 } })
        .toArray();
      // Where each stands: an outcome, once written, is the status (the record stays `queued`).
      const outcomes = await findOutcomes(this.deps.model, found.map((doc) => doc._id));
      return new Map(found.map((doc) => [doc.idempotencyKey, withOutcome(doc as MessageRecord, outcomes.get(doc._id))]));
    } catch (err) {
      throw unavailable('service_unavailable', 'The message store is unavailable; try again', err);
    }
  }

  /** `recheck`: the records existed before this request (see SendJobData.recheck). */
  private async addJobs(records: Pick<MessageRecord, '_id' | 'sendAt'>[], recheck = false): Promise<void> {
    if (records.length === 0) return;
    this.assertQueueReady();
    const now = Date.now();
    const jobs = records.map((r) => ({ name: SEND_JOB, data: recheck ? { id: r._id, recheck } : { id: r._id }, opts: sendJobOptions(r._id, r.sendAt, now) }));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        jobs.length === 1 ? this.deps.queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts) : this.deps.queue.addBulk(jobs),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.redisTimeoutMs} ms`)), this.redisTimeoutMs);
        }),
      ]);
    } catch (err) {
      throw unavailable('service_unavailable', 'The send queue is unavailable; try again', err);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Removes records whose jobs could not be added. If the database is also away they stay `queued`
   * without a job: a retry with the same idempotency key re-adds the job; the log names the ids.
   */
  private async forget(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.collection.deleteMany({ _id: { $in: ids } });
    } catch (err) {
      this.deps.logger.error({ event: 'messages.enqueue_orphans', count: ids.length, ids: ids.slice(0, 20), err }, 'could not remove records whose job was not added');
    }
  }
}
