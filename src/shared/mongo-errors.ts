import { mongo } from 'mongoose';

/** MongoDB's error code for a unique-index violation. */
export const DUPLICATE_KEY = 11000;

/** A single write refused because its key exists (insertOne/updateOne with a unique index). */
export function isDuplicateKey(err: unknown): boolean {
  if (err instanceof mongo.MongoServerError) return err.code === DUPLICATE_KEY;
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;
}

/**
 * The per-operation errors of a failed unordered bulk write (insertMany, bulkWrite), or undefined
 * when the write failed as a whole (connection lost, server down). The driver gives one error or
 * an array of them (`OneOrMore<WriteError>`).
 */
export function bulkWriteErrors(err: unknown): { index: number; code: number }[] | undefined {
  if (!(err instanceof mongo.MongoBulkWriteError)) return undefined;
  const raw = err.writeErrors;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((e) => ({ index: e.index, code: e.code }));
}

/**
 * The indexes of a bulk write's operations refused only as duplicates. Any other failure (a whole
 * failed write, or any write error that is not a duplicate key) is rethrown: the caller must not
 * mistake an outage for "already there".
 */
export function duplicateIndexesOrThrow(err: unknown): Set<number> {
  const errors = bulkWriteErrors(err);
  if (!errors || errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
  return new Set(errors.map((e) => e.index));
}
