import { UnrecoverableError, type Job, type Processor, type Worker } from 'bullmq';
import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ImportProcessor } from './import-processor.ts';
import type { ImportJobPayload } from './import-routes.ts';

export const IMPORT_ATTEMPTS = 3;
/** Starts that never finished (the worker died mid-import) before the job is failed, not re-run. */
export const IMPORT_MAX_CRASHES = 2;
const CRASHED = `import_crashed_worker: the import stopped its worker ${IMPORT_MAX_CRASHES} times and is not retried; split the file or check it is the CSV/NDJSON it claims to be`;
// BullMQ's own reason when its stall check gives up on a job (maxStalledCount): the same case.
const BULLMQ_STALLED = 'job stalled more than allowable limit';

/** Options for jobs on the import queue: a few retries for outages, kept a while for GET /v1/jobs. */
export const importJobOptions = {
  attempts: IMPORT_ATTEMPTS,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** The BullMQ side of a bulk import; the composition root builds the Worker around it (concurrency 1). */
export function importJobProcessor(processor: ImportProcessor): Processor<ImportJobPayload> {
  return async (job: Job<ImportJobPayload>) => {
    // Every start counts in attemptsStarted, every attempt that ended (failed) in attemptsMade: the
    // difference, less this start, is how many attempts died with their worker (a crash, OOM).
    if (job.attemptsStarted - job.attemptsMade - 1 >= IMPORT_MAX_CRASHES) throw new UnrecoverableError(CRASHED);
    try {
      await processor.process(job.data.jobId);
    } catch (err) {
      // A file we cannot read (bad header, broken CSV) fails the same way every time: no retries.
      if (err instanceof AppError && err.status < 500) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}

/** Marks the import job failed once its last attempt failed; logs worker errors. */
export function watchImportWorker(worker: Worker<ImportJobPayload>, processor: ImportProcessor, logger: Logger): void {
  worker.on('error', (err) => logger.warn({ event: 'import.worker_error', err: err.message }));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    const reason = err.message === BULLMQ_STALLED ? new UnrecoverableError(CRASHED) : err;
    processor.attemptFailed(job.data.jobId, reason, final).catch((e: unknown) => logger.error({ event: 'import.mark_failed_error', err: e }));
  });
}
