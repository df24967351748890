import type { JobsOptions, Queue } from 'bullmq';

export const FEEDBACK_JOB = 'apply';

/** The job payload: only the stored feedback record's id. */
export interface FeedbackJobData {
  id: string;
}

/**
 * Feedback that cannot be applied now (database away) is retried for about a day, never dropped:
 * 5 s doubling up to 30 min. Completed job ids are kept a week, so BullMQ itself refuses the same
 * event's job again in that time; `appliedAt` on the record covers the rest.
 */
export const FEEDBACK_ATTEMPTS = 60;

export function feedbackJobOptions(jobId: string): JobsOptions {
  return {
    jobId,
    attempts: FEEDBACK_ATTEMPTS,
    backoff: { type: 'feedback' },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

export function feedbackBackoffMs(attemptsMade: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attemptsMade - 1), 30 * 60_000);
}

export type FeedbackQueue = Queue<FeedbackJobData>;
