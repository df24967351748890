// Bulk import: POST /v1/addresses/import stores a CSV or NDJSON body in chunks (import-upload.ts),
// the import worker reads them back row by row (import-rows.ts) and applies them as consent events
// (import-processor.ts); GET /v1/jobs/:id tells the job's progress. The subscriptions domain
// re-exports from here what other folders use (../index.ts).
export { importRoutes, IMPORT_PATH, DEFAULT_IMPORT_MAX_BYTES, importAcceptedSchema, importJobViewSchema, type ImportJobPayload, type ImportJobView } from './import-routes.ts';
export { ImportProcessor } from './import-processor.ts';
export { importJobModel } from './import-job.model.ts';
export { importChunkModel } from './import-chunk.model.ts';
export { importJobProcessor, importJobOptions, watchImportWorker, IMPORT_ATTEMPTS } from './import-worker.ts';
