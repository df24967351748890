import type { Job, JobsOptions, Queue } from 'bullmq';
import { unavailable } from '../shared/errors.ts';
import { withDeadline } from '../shared/deadline.ts';
import type { MessageRecord } from './message.model.ts';
import type { SentCheckpoint } from './record-outcome.ts';
import { SEND_BACKOFF_TYPE } from './send-retry.ts';
import type { StreamRouter } from './stream-routing.ts';

/** The job name on the send queues; its payload is only the message id (the worker re-reads the record). */
export const SEND_JOB = 'send';

export interface SendJobData {
  id: string;
  /** Carried over by a job moved from the legacy queue (legacy-send-jobs.ts): it had sent, not recorded. */
  sent?: SentCheckpoint;
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
  /** Each stream's send queue, by stream name. */
  queues: ReadonlyMap<string, Queue<SendJobData>>;
  /** The single queue of versions before streams: still asked where a job stands (legacy-send-jobs.ts). */
  legacy?: Queue<SendJobData>;
  router: StreamRouter;
  /** False while the queue's Redis connection is known to be down: answer 503 at once instead of waiting. */
  ready: () => boolean;
  /** Bound on each Redis call, so a dead Redis answers 503 quickly instead of hanging the request. */
  redisTimeoutMs?: number;
  /** Attempts per job (config.sendRetry.attempts). */
  attempts: number;
}

/** What adding a job reads of a record: its id, its time, and what routes it to its stream. */
export type Schedulable = Pick<MessageRecord, '_id' | 'sendAt' | 'kind' | 'subscriptionType' | 'stream'>;


/**
 * Where a message's job stands: `live` (waiting, delayed, active: it will finish the message),
 * `failed` (it used all its attempts; with the checkpoint it kept if it had sent), `completed`
 * (ran to the end), or `none` (no job at all: lost).
 */
export type JobStanding = { state: 'live' | 'completed' | 'none' } | { state: 'failed'; attempts: number; error: string; sent: SentCheckpoint | undefined };

export const checkpointOfJob = (job: Pick<Job<SendJobData>, 'progress' | 'data'>): SentCheckpoint | undefined => {
  const progress = job.progress as { sent?: SentCheckpoint } | number | undefined;
  return (typeof progress === 'object' && progress !== null ? progress.sent : undefined) ?? job.data.sent;
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

  /**
   * A job per record, on its stream's queue: for records just inserted, for one a repeated
   * idempotency key finds still queued, for one the reconciler re-drives. The worker asks whether
   * the message is final before it sends, whatever added the job.
   */
  async add(records: Schedulable[]): Promise<void> {
    if (records.length === 0) return;
    this.assertReady();
    const now = Date.now();
    const byQueue = new Map<Queue<SendJobData>, { name: string; data: SendJobData; opts: JobsOptions }[]>();
    for (const r of records) {
      const queue = this.queueOf(r);
      const jobs = byQueue.get(queue) ?? byQueue.set(queue, []).get(queue)!;
      jobs.push({ name: SEND_JOB, data: { id: r._id }, opts: sendJobOptions(r._id, r.sendAt, this.deps.attempts, now) });
    }
    await this.bounded(Promise.all([...byQueue].map(([queue, jobs]) => (jobs.length === 1 ? queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts) : queue.addBulk(jobs)))));
  }

  /** A stored message's stream: the record's, or as routing decides for a record without one. */
  streamOf(record: Schedulable): string {
    return this.deps.router.streamOf(record);
  }

  /** The queue of a message's stream. */
  queueOf(record: Schedulable): Queue<SendJobData> {
    const stream = this.streamOf(record);
    const queue = this.deps.queues.get(stream);
    if (!queue) throw new Error(`no send queue for stream ${stream}`);
    return queue;
  }

  /**
   * The standing of each message's job (one `getJob` and `getState` per id: the reconciler's few
   * candidates), on its stream's queue or, not found there, on the legacy queue an upgrade left.
   */
  async standings(records: Schedulable[]): Promise<Map<string, JobStanding>> {
    const found = await Promise.all(
      records.map(async (record): Promise<[string, JobStanding]> => {
        const id = record._id;
        const job = (await this.queueOf(record).getJob(id)) ?? (await this.deps.legacy?.getJob(id));
        if (!job) return [id, { state: 'none' }];
        const state = await job.getState();
        if (state === 'failed') return [id, { state, attempts: job.attemptsMade, error: job.failedReason, sent: checkpointOfJob(job) }];
        if (state === 'completed') return [id, { state }];
        return [id, { state: state === 'unknown' ? 'none' : 'live' }];
      }),
    );
    return new Map(found);
  }

  /** Removes finished jobs (completed, yet their message has no outcome) so add can add them again. */
  async removeFinished(records: Schedulable[]): Promise<void> {
    await Promise.all(records.map((r) => this.queueOf(r).remove(r._id)));
  }

  /**
   * A job an upgrade left on the legacy queue, on its stream's queue: the attempts it has left, and
   * the checkpoint it kept if it had sent (so the move never sends twice). Its delay is spent (the
   * legacy worker takes it when due); a `sendAt` still ahead is kept.
   */
  moveIn(record: Schedulable, from: { attemptsMade: number; sent: SentCheckpoint | undefined }): Promise<void> {
    const opts = sendJobOptions(record._id, record.sendAt, Math.max(1, this.deps.attempts - from.attemptsMade));
    return this.bounded(this.queueOf(record).add(SEND_JOB, { id: record._id, ...(from.sent ? { sent: from.sent } : {}) }, opts));
  }



  /** A Redis call bounded by redisTimeoutMs; a failure answers 503. */
  private async bounded(work: Promise<unknown>): Promise<void> {
    try {
      await withDeadline(work, this.redisTimeoutMs, `Redis did not answer within ${this.redisTimeoutMs} ms`);
    } catch (err) {
      throw unavailable('service_unavailable', 'The send queue is unavailable; try again', err);
    }
  }
}
