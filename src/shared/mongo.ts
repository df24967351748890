import type { Connection, mongo } from 'mongoose';

/**
 * How a repository reads many documents by `_id`: `batched` is one `{_id: {$in}}` (MongoDB: one
 * index lookup for the batch); `point` is one `{_id}` find per id, in parallel (FerretDB 1.x pushes
 * only an exact `{_id}` filter down to SQL, and never an `$in`: see docs/ferretdb.md). Both return
 * the same documents; only the cost differs.
 */
export type ReadShape = 'batched' | 'point';

/** The read shape that suits the server behind this connection, from what it says it is (`buildInfo`). */
export async function readShapeOf(connection: Connection): Promise<ReadShape> {
  const info = await connection.db!.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? 'point' : 'batched';
}

/** Reads these (distinct) ids in the given shape; the documents found, in no particular order. */
export async function findByIds<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  ids: string[],
  shape: ReadShape,
  projection?: mongo.Document,
): Promise<T[]> {
  const options = projection ? { projection } : {};
  if (shape === 'batched') return (await collection.find({ _id: { $in: ids } } as mongo.Filter<T>, options).toArray()) as T[];
  const found = await Promise.all(ids.map((_id) => collection.findOne({ _id } as mongo.Filter<T>, options)));
  return found.filter((doc) => doc !== null) as T[];
}
