import type { JobsOptions } from 'bullmq';

/** The job name on SEND_QUEUE; its payload is only the message id (the worker re-reads the record). */
export const SEND_JOB = 'send';
export interface SendJobData {
  id: string;
  /**
   * Set on a job added again for a record that already existed (an idempotent repeat): its message
   * may be final already, so the worker must look for an outcome even on the job's first run.
   */
  recheck?: boolean;
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
