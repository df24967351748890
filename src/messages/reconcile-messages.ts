import type { Logger } from '../shared/logger.ts';
import type { FinalOutcome, MessageRepository, ReconcileCandidate } from './message-repository.ts';
import { sentOutcomeOf, type OutcomeRecorder } from './record-outcome.ts';
import type { JobStanding, SendJobs } from './send-jobs.ts';

/** The job name on the reconcile queue; the composition root upserts it as a repeatable job. */
export const RECONCILE_JOB = 'reconcile';

export interface ReconcileDeps {
  messages: MessageRepository;
  jobs: SendJobs;
  /** Where the outcomes it settles are recorded (written, counted, told), as the send worker's are. */
  outcomes: OutcomeRecorder;
  logger: Logger;
  /** How long past its due time (sendAt, or createdAt) a message may stand without a live job before it counts as orphaned. */
  graceMs: number;
  /**
   * How far back the first run of a process looks. Failed send jobs are kept a week
   * (send-jobs.ts removeOnFail), so a week is as far back as "gave up" and "lost" can be told apart.
   */
  lookbackMs?: number;
  pageSize?: number;
}

export interface ReconcileReport {
  redriven: number;
  failed: number;
  /** Sent by an attempt that could not record it: recorded `sent` from the job's checkpoint. */
  recordedSent: number;
}

/**
 * Finishes what a crash or a long outage orphaned (docs/rules.md §11: no message stays `queued`
 * without a job that will finish it). It walks records created since its watermark, keeps those
 * with no outcome (checked on `message_outcomes` by `_id`, a page at a time) that are past due by
 * the grace period, and asks the send queue about their jobs:
 * - a live job (waiting, delayed, active): nothing to do;
 * - no job (its add was lost, Redis lost it): re-driven through `SendJobs.add` onto its
 *   stream's queue, whose worker checks for an outcome first, so nothing is sent twice;
 * - a failed job (all attempts used, the outcome could not be written): `failed` /
 *   `retries_exhausted` — or `sent`, if the job's checkpoint says the mail went out.
 * The watermark then moves to the oldest record still open, so each run reads only what may
 * still need it.
 */
export class MessageReconciler {
  private watermark: Date | undefined;
  private readonly lookbackMs: number;
  private readonly pageSize: number;

  constructor(private readonly deps: ReconcileDeps) {
    this.lookbackMs = deps.lookbackMs ?? 7 * 24 * 3600_000;
    this.pageSize = deps.pageSize ?? 500;
  }

  async run(now = new Date()): Promise<ReconcileReport> {
    const cutoff = new Date(now.getTime() - this.deps.graceMs);
    const window = { from: this.watermark ?? new Date(now.getTime() - this.lookbackMs), to: cutoff };
    const report: ReconcileReport = { redriven: 0, failed: 0, recordedSent: 0 };
    let oldestOpen: Date | undefined;
    let after: ReconcileCandidate | undefined;
    for (;;) {
      const page = await this.deps.messages.findQueuedCreated(window, after, this.pageSize);
      if (page.length === 0) break;
      after = page.at(-1);
      const open = new Set(await this.deps.messages.withoutOutcome(page.map((r) => r._id)));
      const candidates = page.filter((r) => open.has(r._id));
      oldestOpen ??= candidates[0]?.createdAt;
      const due = candidates.filter((r) => (r.sendAt ?? r.createdAt).getTime() <= cutoff.getTime());
      await this.settle(due, report);
      if (page.length < this.pageSize) break;
    }
    this.watermark = oldestOpen ?? cutoff;
    return report;
  }

  private async settle(due: ReconcileCandidate[], report: ReconcileReport): Promise<void> {
    if (due.length === 0) return;
    const standings = await this.deps.jobs.standings(due);
    const lost: ReconcileCandidate[] = [];
    const finished: ReconcileCandidate[] = [];
    const outcomes: { message: ReconcileCandidate; outcome: FinalOutcome }[] = [];
    for (const record of due) {
      const standing: JobStanding = standings.get(record._id) ?? { state: 'none' };
      if (standing.state === 'live') continue;
      if (standing.state === 'failed') {
        outcomes.push({ message: record, outcome: this.outcomeOfFailed(standing) });
        continue;
      }
      // A completed job whose message has no outcome ran while its record was unreadable: run it again.
      if (standing.state === 'completed') finished.push(record);
      lost.push(record);
    }
    if (outcomes.length > 0) {
      await this.deps.outcomes.recordMany(outcomes);
      for (const { message, outcome } of outcomes) {
        const id = message._id;
        if (outcome.status === 'sent') {
          report.recordedSent += 1;
          this.deps.logger.info({ event: 'reconcile.recorded_sent', messageId: id }, 'recorded the send a failed job had checkpointed');
        } else {
          report.failed += 1;
          this.deps.logger.warn({ event: 'reconcile.failed', messageId: id, reason: outcome.reason, attempts: outcome.attempts }, 'all attempts used; recorded failed');
        }
      }
    }
    if (lost.length > 0) {
      await this.deps.jobs.removeFinished(finished);
      await this.deps.jobs.add(lost);
      report.redriven += lost.length;
      for (const record of lost) this.deps.logger.warn({ event: 'reconcile.redriven', messageId: record._id }, 'queued message without a job: re-driven');
    }
  }

  private outcomeOfFailed(standing: Extract<JobStanding, { state: 'failed' }>): FinalOutcome {
    if (standing.sent) return sentOutcomeOf(standing.sent, standing.attempts);
    return { status: 'failed', reason: 'retries_exhausted', detail: standing.error.slice(0, 500), attempts: standing.attempts };
  }
}
