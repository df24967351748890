import { UnrecoverableError, type Job, type Processor, type Worker } from 'bullmq';
import { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { ImportProcessor } from './import-processor.ts';
import type { ImportJobPayload } from './import-routes.ts';

export const IMPORT_ATTEMPTS = 3;

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
    processor.attemptFailed(job.data.jobId, err, final).catch((e: unknown) => logger.error({ event: 'import.mark_failed_error', err: e }));
  });
}
