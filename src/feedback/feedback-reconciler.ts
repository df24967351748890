import type { Job, Processor } from 'bullmq';
import type { Logger } from '../shared/logger.ts';
import { FEEDBACK_JOB, feedbackJobOptions, type FeedbackJobData, type FeedbackQueue } from './feedback-jobs.ts';
import { feedbackJobId, type FeedbackRepository, type UnappliedFeedback } from './feedback-repository.ts';

/** The repeatable job on the feedback queue that runs the reconciler (composition/workers.ts). */
export const FEEDBACK_RECONCILE_JOB = 'reconcile';

export interface FeedbackReconcileDeps {
  feedback: Pick<FeedbackRepository, 'findUnapplied'>;
  queue: Pick<FeedbackQueue, 'getJobState' | 'addBulk' | 'remove'>;
  logger: Logger;
  /** How long after its receipt a record may stand unapplied before its job counts as lost. */
  graceMs: number;
  /** How far back the first run of a process looks: a week, as far as the apply job's retries and its kept ids reach. */
  lookbackMs?: number;
  pageSize?: number;
}

export interface FeedbackReconcileReport {
  redriven: number;
  /** Unapplied records whose job used all its attempts: left for an operator, not re-driven. */
  gaveUp: number;
}

/**
 * Re-adds the `apply` job of feedback that was stored but never applied (docs/rules.md §11 for
 * feedback). A receiver answers 2xx once the record is in MongoDB and its job in Redis; Redis
 * replicates asynchronously, so a failover can lose that job and the record would sit unapplied
 * forever. Each run reads the unapplied records received since its watermark and older than the
 * grace, asks the queue about each one's job (by its deterministic id), and re-adds those with no
 * job. A live job (waiting, delayed for a retry, active) is left alone; a failed one gave up after
 * a day of retries and stays for the operator. The watermark then moves to the oldest record still
 * waiting on a job, so a run reads only what may still need it.
 */
export class FeedbackReconciler {
  private watermark: Date | undefined;
  private readonly lookbackMs: number;
  private readonly pageSize: number;

  constructor(private readonly deps: FeedbackReconcileDeps) {
    this.lookbackMs = deps.lookbackMs ?? 7 * 24 * 3600_000;
    this.pageSize = deps.pageSize ?? 500;
  }

  async run(now = new Date()): Promise<FeedbackReconcileReport> {
    const cutoff = new Date(now.getTime() - this.deps.graceMs);
    const window = { from: this.watermark ?? new Date(now.getTime() - this.lookbackMs), to: cutoff };
    const report: FeedbackReconcileReport = { redriven: 0, gaveUp: 0 };
    let oldestOpen: Date | undefined;
    let after: UnappliedFeedback | undefined;
    for (;;) {
      const page = await this.deps.feedback.findUnapplied(window, after, this.pageSize);
      if (page.length === 0) break;
      after = page.at(-1);
      // Unverified bounce mail is kept without a job on purpose (report-proof.ts): nothing to apply.
      const open = await this.settle(page.filter((r) => r.unverified === undefined), report);
      oldestOpen ??= open;
      if (page.length < this.pageSize) break;
    }
    this.watermark = oldestOpen ?? cutoff;
    return report;
  }

  /** Re-adds the lost jobs of a page; returns when the oldest record still waiting on a job was received. */
  private async settle(records: UnappliedFeedback[], report: FeedbackReconcileReport): Promise<Date | undefined> {
    const states = await Promise.all(records.map((r) => this.deps.queue.getJobState(feedbackJobId(r._id))));
    const lost: UnappliedFeedback[] = [];
    let oldestOpen: Date | undefined;
    for (const [i, record] of records.entries()) {
      const state = states[i];
      if (state === 'failed') {
        report.gaveUp += 1;
        continue;
      }
      oldestOpen ??= record.receivedAt;
      // A completed job with its record unapplied ran when the record could not be read: run it again.
      if (state === 'completed') await this.deps.queue.remove(feedbackJobId(record._id));
      if (state === 'unknown' || state === 'completed') lost.push(record);
    }
    if (lost.length > 0) {
      await this.deps.queue.addBulk(lost.map((r) => ({ name: FEEDBACK_JOB, data: { id: r._id }, opts: feedbackJobOptions(feedbackJobId(r._id)) })));
      report.redriven += lost.length;
      for (const r of lost) this.deps.logger.warn({ event: 'feedback.redriven', recordId: r._id, receivedAt: r.receivedAt }, 'feedback stored without a job: re-driven');
    }
    return oldestOpen;
  }
}

/**
 * The feedback queue's processor: `apply` jobs go to the applier, the reconciler's repeatable job
 * to the reconciler (one queue, so no new queue name or key slot is needed for it).
 */
export function withFeedbackReconcile(apply: Processor<FeedbackJobData>, reconciler: FeedbackReconciler, logger: Logger): Processor<FeedbackJobData> {
  return async (job: Job<FeedbackJobData>, token?: string) => {
    if (job.name !== FEEDBACK_RECONCILE_JOB) return apply(job, token);
    // A run that fails (the database or Redis away) waits for the next tick; it is not an apply job that gave up.
    return reconciler.run().catch((err: unknown) => logger.warn({ event: 'feedback.reconcile_failed', err: err instanceof Error ? err.message : String(err) }));
  };
}
