import { Schema, type Connection, type Model, type mongo } from 'mongoose';

/**
 * An import body, stored in pieces of about 256 KB as it streams in, so the worker that processes
 * it (possibly on another host) can stream it back out without either side holding it whole.
 */
export interface ImportChunkDoc {
  /** chunkId(jobId, seq): the worker reads chunks by _id (see docs/ferretdb.md). */
  _id: string;
  jobId: string;
  seq: number;
  data: Buffer;
}

const schema = new Schema<ImportChunkDoc>(
  { _id: { type: String, required: true }, jobId: { type: String, required: true }, seq: { type: Number, required: true }, data: { type: Buffer, required: true } },
  { collection: 'import_chunks', versionKey: false },
);
// Clean-up after a job deletes its chunks (`{jobId}`); reads go by _id.
schema.index({ jobId: 1 });

export const chunkId = (jobId: string, seq: number): string => `${jobId}:${seq}`;

export type ImportChunkModel = Model<ImportChunkDoc>;

export function importChunkModel(db: Connection): ImportChunkModel {
  return (db.models.ImportChunk as ImportChunkModel | undefined) ?? db.model<ImportChunkDoc>('ImportChunk', schema);
}

export const CHUNK_BYTES = 256 * 1024;

/** The driver's collection, typed: chunks are written and read raw (Buffers, no casting). */
export const chunkCollection = (model: ImportChunkModel): mongo.Collection<ImportChunkDoc> =>
  model.collection as unknown as mongo.Collection<ImportChunkDoc>;
