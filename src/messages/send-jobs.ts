import type { Job, JobsOptions, Queue } from 'bullmq';
import { unavailable } from '../shared/errors.ts';
import type { MessageRecord } from './message.model.ts';
import type { SentCheckpoint } from './record-outcome.ts';
import { SEND_BACKOFF_TYPE } from './send-retry.ts';

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

export function sendJobOptions(id: string, sendAt: Date | undefined, attempts: number, now = Date.now()): JobsOptions {
  const delay = sendAt === undefined ? 0 : Math.max(0, sendAt.getTime() - now);
  return {
    jobId: id,
    ...(delay > 0 ? { delay } : {}),
    attempts,
    backoff: { type: SEND_BACKOFF_TYPE },
    removeOnComplete: true,
    // Kept a week so an operator can inspect what gave up, and so the reconciler can tell a message
    // that used all its attempts from one whose job was lost; the message record holds the outcome.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export interface SendJobsDeps {
  queue: Queue<SendJobData>;
  /** False while the queue's Redis connection is known to be down: answer 503 at once instead of waiting. */
  ready: () => boolean;
  /** Bound on each Redis call, so a dead Redis answers 503 quickly instead of hanging the request. */
  redisTimeoutMs?: number;
  /** Attempts per job (config.sendRetry.attempts). */
  attempts: number;
}

type Schedulable = Pick<MessageRecord, '_id' | 'sendAt'>;


/**
 * Where a message's job stands: `live` (waiting, delayed, active: it will finish the message),
 * `failed` (it used all its attempts; with the checkpoint it kept if it had sent), `completed`
 * (ran to the end), or `none` (no job at all: lost).
 */
export type JobStanding = { state: 'live' | 'completed' | 'none' } | { state: 'failed'; attempts: number; error: string; sent: SentCheckpoint | undefined };

export const checkpointOfJob = (job: Pick<Job, 'progress'>): SentCheckpoint | undefined => {
  const progress = job.progress as { sent?: SentCheckpoint } | number | undefined;
  return typeof progress === 'object' && progress !== null ? progress.sent : undefined;
};

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

  /** The standing of each message's job (one `getJob` and `getState` per id: the reconciler's few candidates). */
  async standings(ids: string[]): Promise<Map<string, JobStanding>> {
    const found = await Promise.all(
      ids.map(async (id): Promise<[string, JobStanding]> => {
        const job = await this.deps.queue.getJob(id);
        if (!job) return [id, { state: 'none' }];
        const state = await job.getState();
        if (state === 'failed') return [id, { state, attempts: job.attemptsMade, error: job.failedReason, sent: checkpointOfJob(job) }];
        if (state === 'completed') return [id, { state }];
        return [id, { state: state === 'unknown' ? 'none' : 'live' }];
      }),
    );
    return new Map(found);
  }

  /** Removes finished jobs (completed, yet their message has no outcome) so addExisting can add them again. */
  async removeFinished(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.deps.queue.remove(id)));
  }

  private async add(records: Schedulable[], created: boolean): Promise<void> {
    if (records.length === 0) return;
    this.assertReady();
    const now = Date.now();
    const jobs = records.map((r) => ({ name: SEND_JOB, data: created ? { id: r._id, created: true as const } : { id: r._id }, opts: sendJobOptions(r._id, r.sendAt, this.deps.attempts, now) }));
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
