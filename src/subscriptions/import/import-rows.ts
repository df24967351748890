import { StringDecoder } from 'node:string_decoder';
import { parse, type CsvError } from 'csv-parse';
import { z } from 'zod';
import { tryNormalizeAddress } from '../../addresses/index.ts';
import { AppError } from '../../shared/errors.ts';
import type { SubscriptionCatalog } from '../catalog.ts';
import { LEGAL_BASES, type LegalBasis, type StateChange } from '../types.ts';
import { chunkCollection, chunkId, type ImportChunkModel } from './import-chunk.model.ts';
import type { ImportFormat } from './import-job.model.ts';

export const IMPORT_COLUMNS = ['address', 'action', 'type', 'legalBasis', 'legalBasisExplanation'] as const;
export const IMPORT_ACTIONS = ['unsubscribe', 'subscribe', 'unsubscribe_all', 'resubscribe_all'] as const;
const MAX_LINE_CHARS = 64 * 1024;

/** One row as read from the file, before validation: its fields, or why it could not be read. */
export type RawRow = { line: number; fields: Record<string, unknown> } | { line: number; error: string };

/** One valid row, ready to apply. */
export interface ImportRow {
  line: number;
  address: string;
  change: StateChange;
  legalBasis?: LegalBasis;
  legalBasisExplanation?: string;
}

/** A job's stored body, chunk by chunk, in order. */
export async function* readChunks(chunks: ImportChunkModel, jobId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const doc = await chunkCollection(chunks).findOne({ _id: chunkId(jobId, seq) });
    if (!doc) return;
    const data: unknown = doc.data;
    if (Buffer.isBuffer(data)) yield data;
    else if (data && typeof data === 'object' && 'buffer' in data) yield Buffer.from((data as { buffer: Uint8Array }).buffer);
    else throw new AppError('corrupt_import', `import ${jobId}: chunk ${seq} is not binary`);
  }
}

// The parser is fed this many bytes at a time, and what it finds is handed on before the next
// slice: rows waiting to be read (good or bad) are bounded by one slice, whatever the file holds.
const PARSE_SLICE_BYTES = 16 * 1024;

/** CSV with a header naming some of IMPORT_COLUMNS (address and action required). */
export async function* csvRows(source: AsyncIterable<Buffer>): AsyncGenerator<RawRow> {
  // Good and bad rows go into one list, in file order. Records are taken in on_record (never
  // pushed to the stream), so nothing piles up in the stream's buffer either.
  const pending: RawRow[] = [];
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_LINE_CHARS,
    on_skip: (err: CsvError | undefined) => {
      if (err) pending.push({ line: Number((err as { lines?: number }).lines ?? 0), error: `malformed_csv: ${err.message}` });
    },
    on_record: (record: Record<string, string>, context: { lines: number }) => {
      pending.push({ line: context.lines, fields: record });
      return null;
    },
    columns: (header: string[]) => {
      const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h));
      const missing = ['address', 'action'].filter((h) => !header.includes(h));
      if (unknown.length > 0 || missing.length > 0) {
        throw new AppError(
          'bad_import_header',
          `The CSV header must be ${IMPORT_COLUMNS.join(',')} (address and action required)${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}${missing.length ? `; missing: ${missing.join(', ')}` : ''}`,
          { status: 422 },
        );
      }
      return header;
    },
  });
  let failure: Error | undefined;
  parser.on('error', (err: Error) => (failure ??= err));
  parser.resume(); // nothing is pushed, but the stream must flow to end
  const write = (slice: Buffer) => new Promise<void>((resolve, reject) => parser.write(slice, (err) => (err ? reject(err) : resolve())));
  try {
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.length; offset += PARSE_SLICE_BYTES) {
        await write(chunk.subarray(offset, offset + PARSE_SLICE_BYTES));
        while (pending.length > 0) yield pending.shift()!;
      }
    }
    await new Promise<void>((resolve, reject) => {
      parser.once('end', resolve).once('error', reject);
      parser.end();
    });
    while (pending.length > 0) yield pending.shift()!;
  } catch (err) {
    throw failure ?? err;
  } finally {
    parser.destroy();
  }
}

/** Newline-delimited JSON, one object per line; a bad line is reported and skipped. */
export async function* ndjsonRows(source: AsyncIterable<Buffer>): AsyncGenerator<RawRow> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  let overlong = false;
  const parseLine = (text: string): RawRow | undefined => {
    line++;
    const trimmed = text.trim();
    if (trimmed.length === 0) return undefined;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { line, error: 'malformed_json: each line must be a JSON object' };
      return { line, fields: value as Record<string, unknown> };
    } catch {
      return { line, error: 'malformed_json: the line is not valid JSON' };
    }
  };
  for await (const chunk of source) {
    pending += decoder.write(chunk);
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (overlong) {
        overlong = false;
        line++;
        yield { line, error: `line_too_long: a line may have at most ${MAX_LINE_CHARS} characters` };
        continue;
      }
      const row = parseLine(text);
      if (row) yield row;
    }
    if (pending.length > MAX_LINE_CHARS) {
      overlong = true; // drop the rest of this line as it streams in
      pending = '';
    }
  }
  pending += decoder.end();
  if (overlong) yield { line: line + 1, error: `line_too_long: a line may have at most ${MAX_LINE_CHARS} characters` };
  else {
    const row = parseLine(pending);
    if (row) yield row;
  }
}

export function rawRows(format: ImportFormat, source: AsyncIterable<Buffer>): AsyncGenerator<RawRow> {
  return format === 'csv' ? csvRows(source) : ndjsonRows(source);
}

const optionalText = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().max(2000).optional());
const rowSchema = z
  .object({
    address: z.string().max(1024),
    action: z.enum(IMPORT_ACTIONS),
    type: optionalText,
    legalBasis: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.enum(LEGAL_BASES).optional()),
    legalBasisExplanation: optionalText,
  })
  .strict();

/** Validates one row and turns it into a state change, or says why it is rejected (`code: message`). */
export function toImportRow(raw: RawRow, catalog: SubscriptionCatalog): ImportRow | { line: number; reason: string } {
  if ('error' in raw) return { line: raw.line, reason: raw.error };
  const parsed = rowSchema.safeParse(raw.fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { line: raw.line, reason: `validation_failed: ${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}` };
  }
  const row = parsed.data;
  const address = tryNormalizeAddress(row.address);
  if (!address.ok) return { line: raw.line, reason: `invalid_address: ${address.reason}` };
  let change: StateChange;
  if (row.action === 'subscribe' || row.action === 'unsubscribe') {
    if (!row.type) return { line: raw.line, reason: `validation_failed: type: required for ${row.action}` };
    try {
      catalog.assertKnown([row.type]);
    } catch (err) {
      if (err instanceof AppError) return { line: raw.line, reason: `${err.code}: ${row.type}` };
      throw err;
    }
    change = { subscriptions: { [row.type]: row.action === 'subscribe' ? 'subscribed' : 'unsubscribed' } };
  } else {
    if (row.type) return { line: raw.line, reason: `validation_failed: type: must be empty for ${row.action}` };
    change = { optedOutOfAll: row.action === 'unsubscribe_all' };
  }
  const result: ImportRow = { line: raw.line, address: address.address, change };
  if (row.legalBasis) result.legalBasis = row.legalBasis;
  const explanation = row.legalBasisExplanation?.trim();
  if (explanation) result.legalBasisExplanation = explanation;
  return result;
}
