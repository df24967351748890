import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An import body, stored in pieces of about 256 KB as it streams in, so the worker that processes
 * it (possibly on another host) can stream it back out without either side holding it whole.
 */
export interface ImportChunkDoc {
  jobId: string;
  seq: number;
  data: Buffer;
}

const schema = new Schema<ImportChunkDoc>(
  { jobId: { type: String, required: true }, seq: { type: Number, required: true }, data: { type: Buffer, required: true } },
  { collection: 'import_chunks', versionKey: false },
);
// The worker reads a job's chunks in order (`{jobId, seq}`); clean-up deletes by `{jobId}`.
schema.index({ jobId: 1, seq: 1 }, { unique: true });

export type ImportChunkModel = Model<ImportChunkDoc>;

export function importChunkModel(db: Connection): ImportChunkModel {
  return (db.models.ImportChunk as ImportChunkModel | undefined) ?? db.model<ImportChunkDoc>('ImportChunk', schema);
}

export const CHUNK_BYTES = 256 * 1024;
