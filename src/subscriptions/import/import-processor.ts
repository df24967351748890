import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import type { SubscriptionCatalog } from '../catalog.ts';
import { assertLegalBasis } from '../legal-basis.ts';
import type { ApplyItem, MongoSubscriptionStore } from '../mongo-subscription-store.ts';
import type { ImportChunkModel } from './import-chunk.model.ts';
import type { ImportCounts, ImportJobModel, ImportRowError } from './import-job.model.ts';
import { rawRows, readChunks, toImportRow, type ImportRow } from './import-rows.ts';

// Large batches: each batch costs one $in read (a scan on FerretDB: see docs/ferretdb.md).
const BATCH_ROWS = 2000;
const MAX_ERRORS = 100;
/** A file whose first this many rows are all unreadable or invalid is not an import: the job fails. */
export const MAX_LEADING_BAD_ROWS = 1000;

export interface ImportProcessorDeps {
  store: MongoSubscriptionStore;
  jobs: ImportJobModel;
  chunks: ImportChunkModel;
  catalog: SubscriptionCatalog;
  logger: Logger;
}

/**
 * Runs one import job: streams its stored chunks through the parser, validates each row, and
 * applies rows in batches (one consent event per real change, via store.applyMany). Bad rows are
 * counted and reported, never fatal. Progress is saved after every batch, so a retried job resumes
 * after the last saved line (and rows applied twice are unchanged the second time anyway).
 */
export class ImportProcessor {
  constructor(private readonly deps: ImportProcessorDeps) {}

  async process(jobId: string): Promise<void> {
    const { store, jobs, chunks, catalog } = this.deps;
    const logger = this.deps.logger.child({ importJobId: jobId });
    const job = await jobs.findById(jobId).lean();
    if (!job || job.status === 'completed' || job.status === 'failed' || job.status === 'uploading') return;
    await jobs.updateOne({ _id: jobId }, { $set: { status: 'active', startedAt: job.startedAt ?? new Date() } });
    const resumeAfter = job.processedLine;
    const counts: ImportCounts = { ...job.counts };
    const errors: ImportRowError[] = [...job.errors];
    const context = { source: 'bulk_import' as const, ...(job.actor ? { actor: job.actor } : {}) };
    let batch: ImportRow[] = [];
    let lastLine = resumeAfter;
    const reject = (line: number, reason: string) => {
      counts.rejected++;
      if (errors.length < MAX_ERRORS) errors.push({ line, reason });
    };

    const flush = async () => {
      const rows = batch;
      batch = [];
      if (rows.length > 0) {
        const items: ApplyItem[] = rows.map((row) => ({
          address: row.address,
          change: row.change,
          context: {
            ...context,
            ...(row.legalBasis ? { legalBasis: row.legalBasis } : {}),
            ...(row.legalBasisExplanation ? { legalBasisExplanation: row.legalBasisExplanation } : {}),
          },
          options: { importJobId: jobId, guard: (current) => assertLegalBasis(current, row.change, row) },
        }));
        const results = await store.applyMany(items);
        results.forEach((result, i) => {
          if ('error' in result) reject(rows[i]!.line, `${result.error.code}: ${result.error.message}`);
          else if (result.changed) counts.applied++;
          else counts.unchanged++;
        });
      }
      await jobs.updateOne({ _id: jobId }, { $set: { counts, errors, processedLine: lastLine } });
    };

    // a resumed job got past its first rows before
    let leadingBad = resumeAfter > 0 ? -1 : 0;
    for await (const raw of rawRows(job.format, readChunks(chunks, jobId))) {
      if (raw.line <= resumeAfter) continue;
      lastLine = Math.max(lastLine, raw.line);
      const row = toImportRow(raw, catalog);
      if ('reason' in row) {
        reject(row.line, row.reason);
        if (leadingBad >= 0 && ++leadingBad >= MAX_LEADING_BAD_ROWS) {
          await jobs.updateOne({ _id: jobId }, { $set: { counts, errors } }); // the operator sees what was wrong
          throw new AppError('unreadable_import', `import_unreadable: the first ${MAX_LEADING_BAD_ROWS} rows are all malformed or invalid (line ${row.line}: ${row.reason.slice(0, 200)})`, { status: 422 });
        }
      } else {
        leadingBad = -1;
        batch.push(row);
      }
      if (batch.length >= BATCH_ROWS) await flush();
    }
    await flush();
    // Chunks go first: whoever sees `completed` may rely on the upload being gone.
    await chunks.deleteMany({ jobId });
    await jobs.updateOne({ _id: jobId }, { $set: { status: 'completed', finishedAt: new Date() } });
    logger.info({ event: 'import.completed', ...counts }, 'import completed');
  }

  /** Called when an attempt failed: back to queued for the retry, or failed for good. */
  async attemptFailed(jobId: string, err: Error, final: boolean): Promise<void> {
    this.deps.logger.warn({ event: final ? 'import.failed' : 'import.attempt_failed', importJobId: jobId, err: err.message });
    await this.deps.jobs.updateOne(
      { _id: jobId, status: { $ne: 'completed' } },
      { $set: final ? { status: 'failed', failure: err.message, finishedAt: new Date() } : { status: 'queued' } },
    );
    if (final) await this.deps.chunks.deleteMany({ jobId });
  }
}
