import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ImportChunkModel } from './import-chunk.model.ts';
import type { ImportFormat, ImportJobDoc, ImportJobModel } from './import-job.model.ts';
import { payloadTooLarge, storeUpload } from './import-upload.ts';

export const IMPORT_PATH = '/addresses/import';
export const DEFAULT_IMPORT_MAX_BYTES = 200 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ImportJobPayload {
  jobId: string;
}

export interface ImportRoutesDeps {
  jobs: ImportJobModel;
  chunks: ImportChunkModel;
  queue: Queue<ImportJobPayload, void, 'import'>;
  logger: Logger;
  maxBytes: number;
}

const FORMATS: Record<string, ImportFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/ndjson': 'ndjson' };

/** `GET /v1/jobs/:id` answer: progress, counts and the first rejected rows of a bulk import. */
export const importJobViewSchema = z
  .object({
    id: z.string().meta({ description: 'The `jobId` the import answered' }),
    status: z.enum(['queued', 'active', 'completed', 'failed']),
    counts: z.object({ applied: z.number().int(), unchanged: z.number().int(), rejected: z.number().int() }),
    errors: z.array(z.object({ line: z.number().int(), reason: z.string() })).meta({ description: 'The first rejected rows' }),
    createdAt: z.date(),
    startedAt: z.date().optional(),
    finishedAt: z.date().optional(),
    failure: z.string().optional(),
  })
  .meta({ id: 'ImportJob' });
export type ImportJobView = z.infer<typeof importJobViewSchema>;

/** `POST /v1/addresses/import` answer. */
export const importAcceptedSchema = z.object({ jobId: z.string() }).meta({ id: 'ImportAccepted' });

function jobView(job: ImportJobDoc): ImportJobView {
  return {
    id: job._id,
    status: job.status === 'uploading' ? 'queued' : job.status,
    counts: job.counts,
    errors: job.errors,
    createdAt: job.createdAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    ...(job.failure ? { failure: job.failure } : {}),
  };
}

/** POST /addresses/import (CSV or NDJSON body → 202 {jobId}) and GET /jobs/:id. */
export function importRoutes({ jobs, chunks, queue, logger, maxBytes }: ImportRoutesDeps): Router {
  const router = Router();

  router.post(IMPORT_PATH, async (req, res) => {
    const type = req.is(Object.keys(FORMATS));
    const format = typeof type === 'string' ? FORMATS[type] : undefined;
    if (!format) {
      throw new AppError('unsupported_media_type', 'Send the import as text/csv or application/x-ndjson', { status: 415 });
    }
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding !== 'identity') throw new AppError('unsupported_encoding', 'Send the import without Content-Encoding', { status: 415 });
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > maxBytes) {
      res.set('Connection', 'close'); // do not read the rest of a body we refuse
      throw payloadTooLarge(maxBytes);
    }

    const jobId = randomUUID();
    const actor = typeof res.locals.actor === 'string' ? res.locals.actor : undefined;
    await jobs.create({
      _id: jobId,
      status: 'uploading',
      format,
      ...(actor ? { actor } : {}),
      bytes: 0,
      chunks: 0,
      counts: { applied: 0, unchanged: 0, rejected: 0 },
      errors: [],
      processedLine: 0,
      createdAt: new Date(),
    });
    let stored: { bytes: number; chunks: number };
    try {
      stored = await storeUpload(req, { chunks, jobId, maxBytes });
    } catch (err) {
      await jobs.deleteOne({ _id: jobId }).catch(() => undefined);
      if (err instanceof AppError && err.status === 413) res.set('Connection', 'close');
      throw err;
    }
    await jobs.updateOne({ _id: jobId }, { $set: { status: 'queued', ...stored } });
    try {
      await queue.add('import', { jobId }, { jobId });
    } catch (err) {
      await jobs.updateOne({ _id: jobId }, { $set: { status: 'failed', failure: 'could not be queued', finishedAt: new Date() } });
      await chunks.deleteMany({ jobId }).catch(() => undefined);
      throw new AppError('queue_unavailable', 'The import could not be queued; try again', { status: 503, cause: err });
    }
    logger.info({ event: 'import.queued', importJobId: jobId, format, bytes: stored.bytes });
    res.status(202).json({ jobId });
  });

  router.get('/jobs/:id', async (req, res) => {
    const id = String(req.params.id);
    const job = UUID.test(id) ? await jobs.findById(id).lean() : null;
    if (!job) throw new AppError('job_not_found', 'No such job', { status: 404 });
    res.json(jobView(job));
  });

  return router;
}
