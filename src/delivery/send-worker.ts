import { DelayedError, Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';
import type { Logger } from '../shared/logger.ts';
import { checkpointOfJob, sendRetrySettings, type SendJobData, type SendRetrySchedule } from '../messages/index.ts';
import { redactAddresses } from '../shared/logger.ts';
import type { MessageSender, SendOutcome } from './send-message.ts';
import type { StreamMetrics } from './stream-metrics.ts';
import { PACE_RECHECK_MS, StreamPaused } from './stream-pace.ts';
import { MessageHeld } from './message-held.ts';

/** Attempts of a job: what it was added with (every send job is added with config.sendRetry.attempts). */
const attemptsOf = (job: Pick<Job, 'opts'>): number => job.opts.attempts ?? 1;

/** The stream a send worker serves: its name, how to pause its whole queue, its counters. */
export interface SendStream {
  name: string;
  /** Pauses the stream's queue for every worker (BullMQ `queue.rateLimit`). */
  pause(ms: number): Promise<void>;
  metrics: StreamMetrics;
  logger: Logger;
}

/**
 * The BullMQ side of sending: hands each job's message id to the send use case. Suppressed and
 * failed outcomes complete the job (never retried); transient errors throw, and BullMQ retries
 * with the send backoff. A held message (MessageHeld: guard pause, frequency cap deferral) goes
 * back to the delayed set until it may look again. A paced or throttled stream (StreamPaused) pauses the stream's queue for
 * every worker and throws BullMQ's RateLimitError: the job goes back to wait, its attempts
 * (`attemptsMade`, and so the record's) unchanged. The composition root builds one Worker per stream
 * around this processor.
 */
export function sendJobProcessor(sender: MessageSender, stream: SendStream): Processor<SendJobData, SendOutcome> {
  return async (job, token) => {
    const maxAttempts = attemptsOf(job);
    try {
      const outcome = await sender.send(job.data.id, {
        number: job.attemptsMade + 1,
        last: job.attemptsMade + 1 >= maxAttempts,
        checkpoint: checkpointOfJob(job),
        saveCheckpoint: (sent) => job.updateProgress({ sent }),
      });
      if (outcome.outcome === 'sent') stream.metrics.sends.inc({ stream: stream.name });
      return outcome;
    } catch (err) {
      if (err instanceof MessageHeld) {
        // Held, not failed: back to the delayed set, attempts unspent (BullMQ's DelayedError).
        stream.metrics.held.inc({ stream: stream.name, reason: err.reason });
        await job.moveToDelayed(err.until.getTime(), token);
        throw new DelayedError();
      }
      if (!(err instanceof StreamPaused)) throw err;
      paused(stream, err);
      // At most PACE_RECHECK_MS at a time: a day window may free hours later, and a limit an
      // operator raises should not wait for it; one job then looks again.
      await stream.pause(Math.min(err.waitMs(), PACE_RECHECK_MS));
      throw Worker.RateLimitError();
    }
  };
}

function paused(stream: SendStream, err: StreamPaused): void {
  const fields = { stream: stream.name, until: err.until.toISOString() };
  if (err.reason === 'limit') {
    stream.metrics.paced.inc({ stream: stream.name, window: err.detail.window ?? '' });
    stream.logger.debug({ event: 'delivery.stream_limited', ...fields, window: err.detail.window });
    return;
  }
  stream.metrics.throttled.inc({ stream: stream.name });
  if (err.detail.started) stream.logger.warn({ event: 'delivery.stream_throttled', ...fields, backoffMs: err.detail.backoffMs, err: redactAddresses(String((err.cause as Error | undefined)?.message ?? '')) });
}

/** Worker options of a stream's send queue (besides connection and prefix): its concurrency and the send backoff. Its rate is the queue's (setGlobalRateLimit). */
export function sendWorkerOptions(options: { concurrency: number; retry: SendRetrySchedule }): Omit<WorkerOptions, 'connection'> {
  return {
    concurrency: options.concurrency,
    autorun: false,
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
