import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { csvRows, type RawRow } from '../../src/subscriptions/import/import-rows.ts';

// A real collection, so the measure is what the reader keeps, not garbage awaiting collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BAD_LINES = 50_000;
/** A CSV of one header and BAD_LINES lines the parser refuses (a quote inside an unquoted field), in 64 KB chunks. */
async function* badCsv(): AsyncGenerator<Buffer> {
  yield Buffer.from('address,action\n');
  const line = 'ann"@example.com,unsubscribe\n';
  const perChunk = Math.floor((64 * 1024) / line.length);
  for (let sent = 0; sent < BAD_LINES; sent += perChunk) yield Buffer.from(line.repeat(Math.min(perChunk, BAD_LINES - sent)));
}

describe('csvRows', () => {
  it('hands on 50,000 bad lines as they are read: the heap holds a slice of them, not the file', async () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let first: RawRow | undefined;
    for await (const row of csvRows(badCsv())) {
      first ??= row;
      count++;
      if (count === 1 || count % 5000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    expect(count).toBe(BAD_LINES);
    expect(first).toEqual({ line: 2, error: expect.stringMatching(/^malformed_csv: /) });
    // 50,000 kept rows are ~10 MB; one 16 KB slice of them is a few hundred rows
    expect(peak).toBeLessThan(3 * 1024 * 1024);
  });

  it('keeps good and bad rows in file order, with their line numbers', async () => {
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('address,action,type\nann@example.com,unsubscribe,newsletter\nb"ad,x\n');
      yield Buffer.from('carl@example.com,unsub');
      yield Buffer.from('scribe_all\n"unclosed,x\n');
    }
    const rows = [];
    for await (const row of csvRows(source())) rows.push(row);
    expect(rows.map((r) => [r.line, 'error' in r ? 'error' : r.fields.address])).toEqual([
      [2, 'ann@example.com'],
      [3, 'error'],
      [4, 'carl@example.com'],
      [5, 'error'],
    ]);
  });

  it('a bad header ends the read with its error', async () => {
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('email,what\nann@example.com,unsubscribe\n');
    }
    await expect(async () => {
      for await (const row of csvRows(source())) void row;
    }).rejects.toMatchObject({ code: 'bad_import_header' });
  });
});
