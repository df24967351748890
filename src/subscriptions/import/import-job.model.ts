import { Schema, type Connection, type Model } from 'mongoose';

export const IMPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
/** `uploading` is internal: the client only learns the id once the body is stored. */
export type ImportStatus = 'uploading' | 'queued' | 'active' | 'completed' | 'failed';

export interface ImportCounts {
  applied: number;
  unchanged: number;
  rejected: number;
}
export interface ImportRowError {
  line: number;
  reason: string;
}

/** One bulk import: progress, counts and the first rejected rows; survives worker restarts. */
export interface ImportJobDoc {
  _id: string;
  status: ImportStatus;
  format: ImportFormat;
  actor?: string;
  bytes: number;
  chunks: number;
  counts: ImportCounts;
  errors: ImportRowError[];
  /** Every row up to this line is counted; a retried job resumes after it. */
  processedLine: number;
  failure?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

const schema = new Schema<ImportJobDoc>(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true },
    format: { type: String, required: true },
    actor: String,
    bytes: { type: Number, required: true, default: 0 },
    chunks: { type: Number, required: true, default: 0 },
    counts: {
      applied: { type: Number, required: true, default: 0 },
      unchanged: { type: Number, required: true, default: 0 },
      rejected: { type: Number, required: true, default: 0 },
    },
    errors: { type: [{ line: Number, reason: String, _id: false }], default: [] },
    processedLine: { type: Number, required: true, default: 0 },
    failure: String,
    createdAt: { type: Date, required: true },
    startedAt: Date,
    finishedAt: Date,
  },
  // `errors` is our field name in the API contract; mongoose reserves it only on documents, and we read lean.
  { collection: 'import_jobs', versionKey: false, suppressReservedKeysWarning: true },
);
// Looked up by _id only (GET /v1/jobs/:id, the worker): the default _id index serves it.

export type ImportJobModel = Model<ImportJobDoc>;

export function importJobModel(db: Connection): ImportJobModel {
  return (db.models.ImportJob as ImportJobModel | undefined) ?? db.model<ImportJobDoc>('ImportJob', schema);
}
