import type { JobsOptions, Queue } from 'bullmq';
import { unavailable } from '../shared/errors.ts';
import type { MessageRecord } from './message.model.ts';

/** The job name on the send queue; its payload is only the message id (the worker re-reads the record). */
export const SEND_JOB = 'send';

export interface SendJobData {
  id: string;
  /**
   * Set only by SendJobs.addNew, for a job added in the same request that created its record: on
   * its first run no outcome can exist yet, so the worker may skip that read. Absent means "look":
   * whatever else adds a job (a repeat, a repair, a future caller) is checked by default.
   */
  created?: true;
}

/**
 * Retries ride out several minutes of outage (database, Redis, SMTP): 2 s doubling up to a cap of
 * 5 minutes, 12 attempts ≈ 25 minutes in all, with ±20 % jitter so retried jobs do not stampede.
 */
export const SEND_ATTEMPTS = 12;
const FIRST_BACKOFF_MS = 2000;
const MAX_BACKOFF_MS = 5 * 60_000;
export const SEND_BACKOFF_TYPE = 'send';

export function sendBackoffMs(attemptsMade: number, random: () => number = Math.random): number {
  const base = Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, attemptsMade - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function sendJobOptions(id: string, sendAt: Date | undefined, now = Date.now()): JobsOptions {
  const delay = sendAt === undefined ? 0 : Math.max(0, sendAt.getTime() - now);
  return {
    jobId: id,
    ...(delay > 0 ? { delay } : {}),
    attempts: SEND_ATTEMPTS,
    backoff: { type: SEND_BACKOFF_TYPE },
    removeOnComplete: true,
    // Kept a week so an operator can inspect what gave up; the message record holds the outcome.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export interface SendJobsDeps {
  queue: Queue<SendJobData>;
  /** False while the queue's Redis connection is known to be down: answer 503 at once instead of waiting. */
  ready: () => boolean;
  /** Bound on each Redis call, so a dead Redis answers 503 quickly instead of hanging the request. */
  redisTimeoutMs?: number;
}

type Schedulable = Pick<MessageRecord, '_id' | 'sendAt'>;

/**
 * The one place send jobs are added. The job id is the message id, so adding a job that exists
 * is a no-op in BullMQ, and re-adding one whose add was lost is a repair.
 */
export class SendJobs {
  private readonly redisTimeoutMs: number;

  constructor(private readonly deps: SendJobsDeps) {
    this.redisTimeoutMs = deps.redisTimeoutMs ?? 3000;
  }

  assertReady(): void {
    if (!this.deps.ready()) throw unavailable('service_unavailable', 'The send queue is unavailable; try again');
  }

  /** Jobs for records this request has just inserted. */
  addNew(records: Schedulable[]): Promise<void> {
    return this.add(records, true);
  }

  /** Jobs for records that existed before (a repeated idempotency key): the worker checks for an outcome first. */
  addExisting(records: Schedulable[]): Promise<void> {
    return this.add(records, false);
  }

  private async add(records: Schedulable[], created: boolean): Promise<void> {
    if (records.length === 0) return;
    this.assertReady();
    const now = Date.now();
    const jobs = records.map((r) => ({ name: SEND_JOB, data: created ? { id: r._id, created: true as const } : { id: r._id }, opts: sendJobOptions(r._id, r.sendAt, now) }));
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
}
