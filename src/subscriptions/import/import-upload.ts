import type { Readable } from 'node:stream';
import { AppError } from '../../shared/errors.ts';
import { CHUNK_BYTES, chunkCollection, chunkId, type ImportChunkModel } from './import-chunk.model.ts';

export const payloadTooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `An import body may have at most ${maxBytes} bytes`, { status: 413, details: { maxBytes } });

/**
 * Streams a request body into ~256 KB chunks in MongoDB as it arrives (backpressure: the next
 * piece is read once the previous chunk is written). Over `maxBytes` it stops with 413; on any
 * failure the chunks written so far are removed.
 */
export async function storeUpload(
  body: Readable,
  deps: { chunks: ImportChunkModel; jobId: string; maxBytes: number },
): Promise<{ bytes: number; chunks: number }> {
  const { chunks, jobId, maxBytes } = deps;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let seq = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await chunkCollection(chunks).insertOne({ _id: chunkId(jobId, seq), jobId, seq, data });
    seq++;
  };
  try {
    for await (const part of body as AsyncIterable<Buffer>) {
      bytes += part.length;
      if (bytes > maxBytes) throw payloadTooLarge(maxBytes);
      pending.push(part);
      pendingBytes += part.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
    return { bytes, chunks: seq };
  } catch (err) {
    await chunks.deleteMany({ jobId }).catch(() => undefined);
    throw err;
  }
}
