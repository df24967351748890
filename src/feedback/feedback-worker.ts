import type { Processor, Worker } from 'bullmq';
import type { Logger } from '../shared/logger.ts';
import type { ApplyFeedback } from './apply-feedback.ts';
import { FEEDBACK_ATTEMPTS, feedbackBackoffMs, type FeedbackJobData } from './feedback-jobs.ts';

/** The BullMQ side of applying feedback; the composition root builds the Worker around it. */
export function feedbackJobProcessor(applier: ApplyFeedback): Processor<FeedbackJobData> {
  return async (job) => {
    await applier.apply(job.data.id);
  };
}

export const feedbackWorkerSettings = { backoffStrategy: (attemptsMade: number) => feedbackBackoffMs(attemptsMade) };

export function watchFeedbackWorker(worker: Worker<FeedbackJobData>, logger: Logger): void {
  worker.on('error', (err) => logger.error({ event: 'feedback.worker_error', err: err.message }));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? FEEDBACK_ATTEMPTS);
    logger.warn({ event: final ? 'feedback.gave_up' : 'feedback.retry', attempt: job.attemptsMade, err: err.message });
  });
}
