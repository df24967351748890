import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.ts';
import { SEND_QUEUE } from '../shared/queues.ts';
import { SEND_ATTEMPTS, sendBackoffMs, type SendJobData } from '../messages/send-job.ts';
import type { MessageSender, SendOutcome, SentCheckpoint } from './send-message.ts';

export interface SendWorkerDeps {
  sender: MessageSender;
  /** A connection with maxRetriesPerRequest: null (BullMQ duplicates it for blocking commands). */
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** Messages per second for this worker; 0 = unlimited. */
  rateLimit: number;
  logger: Logger;
}

const checkpointOf = (job: Job<SendJobData>): SentCheckpoint | undefined => {
  const progress = job.progress as { sent?: SentCheckpoint } | number | undefined;
  return typeof progress === 'object' && progress !== null ? progress.sent : undefined;
};

/**
 * The BullMQ side of sending: hands each job's message id to the send use case. Suppressed and
 * failed outcomes complete the job (never retried); transient errors throw, and BullMQ retries
 * with the send backoff.
 */
export function createSendWorker(deps: SendWorkerDeps): Worker<SendJobData, SendOutcome> {
  const worker = new Worker<SendJobData, SendOutcome>(
    SEND_QUEUE,
    async (job) => {
      const maxAttempts = job.opts.attempts ?? SEND_ATTEMPTS;
      return deps.sender.send(job.data.id, {
        number: job.attemptsMade + 1,
        last: job.attemptsMade + 1 >= maxAttempts,
        // The first run of a job added with a new record: no outcome can exist yet. Retries,
        // stalled jobs run again (attemptsStarted > 1) and re-added jobs (recheck) look for one.
        fresh: job.data.recheck !== true && job.attemptsMade === 0 && job.attemptsStarted === 1,
        checkpoint: checkpointOf(job),
        saveCheckpoint: (sent) => job.updateProgress({ sent }),
      });
    },
    {
      // bullmq bundles its own ioredis typings; the instance is the same at run time.
      connection: deps.connection as unknown as ConnectionOptions,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      autorun: false,
      ...(deps.rateLimit > 0 ? { limiter: { max: deps.rateLimit, duration: 1000 } } : {}),
      settings: { backoffStrategy: (attemptsMade: number) => sendBackoffMs(attemptsMade) },
    },
  );
  worker.on('error', (err) => deps.logger.error({ event: 'delivery.worker_error', err: err.message }));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? SEND_ATTEMPTS);
    deps.logger.warn({ event: final ? 'delivery.gave_up' : 'delivery.retry', messageId: job.data.id, attempt: job.attemptsMade, err: err.message });
  });
  return worker;
}
