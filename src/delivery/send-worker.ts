import type { Job, Processor, Worker, WorkerOptions } from 'bullmq';
import type { Logger } from '../shared/logger.ts';
import { checkpointOfJob, sendRetrySettings, type SendJobData, type SendRetrySchedule } from '../messages/index.ts';
import { redactAddresses } from '../shared/logger.ts';
import type { MessageSender, SendOutcome } from './send-message.ts';

/** Attempts of a job: what it was added with (every send job is added with config.sendRetry.attempts). */
const attemptsOf = (job: Pick<Job, 'opts'>): number => job.opts.attempts ?? 1;

/**
 * The BullMQ side of sending: hands each job's message id to the send use case. Suppressed and
 * failed outcomes complete the job (never retried); transient errors throw, and BullMQ retries
 * with the send backoff. The composition root builds the Worker around this processor.
 */
export function sendJobProcessor(sender: MessageSender): Processor<SendJobData, SendOutcome> {
  return async (job) => {
    const maxAttempts = attemptsOf(job);
    return sender.send(job.data.id, {
      number: job.attemptsMade + 1,
      last: job.attemptsMade + 1 >= maxAttempts,
      // Only the first run of a job added with its new record may skip the "final already?" read;
      // retries and stalled jobs run again (attemptsStarted > 1) and every other job look.
      fresh: job.data.created === true && job.attemptsMade === 0 && job.attemptsStarted === 1,
      checkpoint: checkpointOfJob(job),
      saveCheckpoint: (sent) => job.updateProgress({ sent }),
    });
  };
}

/** Worker options of the send queue (besides connection and prefix): concurrency, rate limit, backoff. */
export function sendWorkerOptions(options: { concurrency: number; rateLimit: number; retry: SendRetrySchedule }): Omit<WorkerOptions, 'connection'> {
  return {
    concurrency: options.concurrency,
    autorun: false,
    ...(options.rateLimit > 0 ? { limiter: { max: options.rateLimit, duration: 1000 } } : {}),
    settings: sendRetrySettings(options.retry),
  };
}

/** Log lines of the send worker: errors, retries, and jobs that gave up. */
export function watchSendWorker(worker: Worker<SendJobData, SendOutcome>, logger: Logger): void {
  worker.on('error', (err) => logger.error({ event: 'delivery.worker_error', err: err.message }));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= attemptsOf(job);
    logger.warn({ event: final ? 'delivery.gave_up' : 'delivery.retry', messageId: job.data.id, attempt: job.attemptsMade, err: redactAddresses(err.message) });
  });
}
