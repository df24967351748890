import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Queue } from 'bullmq';
import { errorMiddleware } from '../../src/http/error-middleware.ts';
import { importRoutes, type ImportJobPayload } from '../../src/subscriptions/import/import-routes.ts';
import { importJobModel } from '../../src/subscriptions/import/import-job.model.ts';
import { importChunkModel } from '../../src/subscriptions/import/import-chunk.model.ts';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
interface JobView {
  id: string;
  status: string;
  counts: { applied: number; unchanged: number; rejected: number };
  errors: { line: number; reason: string }[];
  failure?: string;
}
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp(testConfig('import'), { api: true, worker: true });
});
afterAll(async () => {
  await app?.stop();
});

const url = (path: string) => `${app.url}/v1${path}`;
const mixedCsv = readFileSync(new URL('../fixtures/import-mixed.csv', import.meta.url), 'utf8');

async function importBody(body: string, contentType: string): Promise<string> {
  const res = await fetch(url('/addresses/import'), { method: 'POST', headers: { ...authHeaders, 'content-type': contentType }, body });
  expect(res.status).toBe(202);
  const { jobId } = (await res.json()) as { jobId: string };
  expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
  return jobId;
}

async function finished(jobId: string): Promise<JobView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(url(`/jobs/${jobId}`), { headers: authHeaders });
    expect(res.status).toBe(200);
    const job = (await res.json()) as JobView;
    expect(['queued', 'active', 'completed', 'failed']).toContain(job.status);
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling a remote status: no event to await
  }
}

const state = async (address: string) =>
  (await (await fetch(url(`/addresses/${encodeURIComponent(address)}`), { headers: authHeaders })).json()) as {
    optedOutOfAll: boolean;
    subscriptions: Record<string, string>;
  };
const history = async (address: string) =>
  (await (await fetch(url(`/addresses/${encodeURIComponent(address)}/history`), { headers: authHeaders })).json()) as Record<string, unknown>[];
const eventCount = () => app.ctx.db.collection('consent_events').countDocuments();

describe('bulk import', () => {
  it('CSV: applies good rows, reports bad ones by line, applies the legal-basis rule per row; the same file again changes nothing', async () => {
    const optOut = await fetch(url('/addresses/gina@example.com'), {
      method: 'PATCH',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ optedOutOfAll: true }),
    });
    expect(optOut.status).toBe(200);

    const job = await finished(await importBody(mixedCsv, 'text/csv'));
    expect(job.status).toBe('completed');
    // carl, dora, fred (opted out), gina (back in, with basis and explanation); carl's repeat is unchanged.
    expect(job.counts).toEqual({ applied: 4, unchanged: 1, rejected: 8 });
    const reasons = Object.fromEntries(job.errors.map((e) => [e.line, e.reason.split(':')[0]]));
    expect(reasons).toEqual({
      4: 'invalid_address',
      5: 'unknown_subscription_type',
      6: 'validation_failed',
      8: 'legal_basis_required',
      9: 'legal_basis_required',
      11: 'validation_failed',
      12: 'validation_failed',
      14: 'validation_failed',
    });

    expect((await state('carl@example.com')).subscriptions.newsletter).toBe('unsubscribed');
    expect((await state('dora@example.com')).subscriptions.events).toBe('subscribed');
    expect((await state('fred@example.com')).optedOutOfAll).toBe(true);
    expect((await state('gina@example.com')).optedOutOfAll).toBe(false);
    expect((await state('erin@example.com')).subscriptions.newsletter).toBe('not_specified');
    const gina = await history('gina@example.com');
    expect(gina).toHaveLength(2);
    expect(gina[0]).toMatchObject({ source: 'operator' });
    expect(gina[1]).toMatchObject({
      source: 'bulk_import',
      actor: 'api-key:default',
      importJobId: job.id,
      legalBasis: 'consent_with_notice',
      legalBasisExplanation: 'Signed up again at the fair, form #12',
      before: { optedOutOfAll: true },
      after: { optedOutOfAll: false },
    });

    const events = await eventCount();
    const again = await finished(await importBody(mixedCsv, 'text/csv'));
    expect(again.status).toBe('completed');
    expect(again.counts).toEqual({ applied: 0, unchanged: 5, rejected: 8 });
    expect(await eventCount()).toBe(events);
  });

  it('NDJSON: same fields, bad lines reported, good lines applied; a re-import changes nothing', async () => {
    const lines = [
      JSON.stringify({ address: 'Kim@Example.com', action: 'unsubscribe', type: 'events' }),
      '{"address": "lee@example.com", "action": ',
      JSON.stringify({ address: 'lee@example.com', action: 'unsubscribe_all', $where: 'sleep(1000)' }),
      '',
      JSON.stringify({ address: 'lee@example.com', action: 'unsubscribe_all' }),
      JSON.stringify(['not', 'an', 'object']),
      JSON.stringify({ address: { $ne: null }, action: 'unsubscribe_all' }),
      JSON.stringify({ address: 'max@example.com', action: 'subscribe', type: 'newsletter', legalBasis: null }),
    ].join('\n');
    const job = await finished(await importBody(lines, 'application/x-ndjson'));
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ applied: 3, unchanged: 0, rejected: 4 });
    expect(job.errors.map((e) => [e.line, e.reason.split(':')[0]])).toEqual([
      [2, 'malformed_json'],
      [3, 'validation_failed'],
      [6, 'malformed_json'],
      [7, 'validation_failed'],
    ]);
    expect((await state('kim@example.com')).subscriptions.events).toBe('unsubscribed');
    expect((await state('lee@example.com')).optedOutOfAll).toBe(true);
    expect((await state('max@example.com')).subscriptions.newsletter).toBe('subscribed');

    const events = await eventCount();
    const again = await finished(await importBody(lines, 'application/x-ndjson'));
    expect(again.counts).toEqual({ applied: 0, unchanged: 3, rejected: 4 });
    expect(await eventCount()).toBe(events);
  });

  it('a header without the required columns fails the job with a clear reason', async () => {
    const job = await finished(await importBody('email,what\nann@example.com,unsubscribe\n', 'text/csv'));
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(/address,action,type/);
  });

  it('many rows stream through in batches (same address many times included)', async () => {
    const rows = ['address,action,type'];
    for (let i = 0; i < 1500; i++) rows.push(`bulk${i % 1200}@example.com,${i < 1200 ? 'unsubscribe' : 'subscribe'},product-updates`);
    const job = await finished(await importBody(rows.join('\n'), 'text/csv'));
    expect(job.status).toBe('completed');
    // Rows 1200..1499 subscribe addresses 0..299, which are unsubscribed: refused without a basis.
    expect(job.counts).toEqual({ applied: 1200, unchanged: 0, rejected: 300 });
    expect(job.errors).toHaveLength(100);
    expect(job.errors[0]).toEqual({ line: 1202, reason: expect.stringMatching(/^legal_basis_required/) });
    expect(await app.ctx.db.collection('import_chunks').countDocuments()).toBe(0);
  });
});

describe('bulk import of a file that is not one', () => {
  it('50,000 bad lines: the job fails with a clear reason after the first 1,000, and its upload is gone', async () => {
    const body = `address,action\n${'ann"@example.com,unsubscribe\n'.repeat(50_000)}`;
    const events = await eventCount();
    const job = await finished(await importBody(body, 'text/csv'));
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(/^import_unreadable: the first 1000 rows are all malformed or invalid \(line 1001: malformed_csv: /);
    expect(job.counts).toEqual({ applied: 0, unchanged: 0, rejected: 1000 });
    expect(await eventCount()).toBe(events);
    expect(await app.ctx.db.collection('import_chunks').countDocuments({ jobId: job.id })).toBe(0);
  });

  it('bad rows after good ones are reported, not fatal', async () => {
    const rows = ['address,action', 'goodrow@example.com,unsubscribe_all', ...Array.from({ length: 1500 }, () => 'x,unsubscribe_all')];
    const job = await finished(await importBody(rows.join('\n'), 'text/csv'));
    expect(job).toMatchObject({ status: 'completed', counts: { applied: 1, rejected: 1500 } });
  });
});

describe('import body limit while streaming', () => {
  it('a chunked body (no Content-Length) that grows past the limit is cut off with 413, and nothing of it is kept', async () => {
    const { db, logger, config } = app.ctx;
    const queue = new Queue<ImportJobPayload, void, 'import'>('import-limit-test', { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
    const http = express();
    http.use(importRoutes({ jobs: importJobModel(db), chunks: importChunkModel(db), queue, logger, maxBytes: 64 * 1024 }));
    http.use(errorMiddleware(logger));
    const server = http.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const chunk = new TextEncoder().encode(`${'a'.repeat(1000)}@example.com,unsubscribe_all,,,\n`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 200) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/addresses/import`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body,
        duplex: 'half',
      } as RequestInit).catch((err: unknown) => err);
      // The server answers 413 and closes; depending on timing the client sees the answer or a reset.
      if (res instanceof Response) {
        expect(res.status).toBe(413);
        expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
      }
      const deadline = Date.now() + 5000;
      while ((await db.collection('import_chunks').countDocuments()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await db.collection('import_chunks').countDocuments()).toBe(0);
      expect(await db.collection('import_jobs').countDocuments({ status: 'uploading' })).toBe(0);
      expect(await queue.count()).toBe(0);
    } finally {
      server.closeAllConnections();
      server.close();
      await queue.close();
    }
  });
});

describe('export', () => {
  it('streams every address state as CSV with one column per type', async () => {
    const res = await fetch(url('/addresses/export'), { headers: authHeaders });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const stored = await app.ctx.db.collection('address_states').countDocuments();
    expect(records).toHaveLength(stored);
    expect(Object.keys(records[0]!)).toEqual(['address', 'optedOutOfAll', 'newsletter', 'product-updates', 'events', 'suppression', 'updatedAt']);
    const fred = records.find((r) => r.address === 'fred@example.com');
    expect(fred).toMatchObject({ optedOutOfAll: 'true', newsletter: 'not_specified', suppression: '' });
    expect(records.find((r) => r.address === 'carl@example.com')?.newsletter).toBe('unsubscribed');
    expect(new Date(fred?.updatedAt ?? 'x').getTime()).not.toBeNaN();
  });
});

describe('export: CSV formula injection', () => {
  it('neutralizes a cell that a spreadsheet would read as a formula: it starts with a quote', async () => {
    const hostile = ["=cmd|'/Ccalc'!A0@evil.example", '+sum@evil.example', '-2+3@evil.example'].map((a) => a.toLowerCase());
    const rows = ['address,action', ...hostile.map((a) => `${a},unsubscribe_all`)];
    const job = await finished(await importBody(rows.join('\n'), 'text/csv'));
    expect(job).toMatchObject({ status: 'completed', counts: { applied: hostile.length, rejected: 0 } });
    const res = await fetch(url('/addresses/export'), { headers: authHeaders });
    expect(res.status).toBe(200);
    const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const cells = records.map((r) => r.address!);
    for (const address of hostile) {
      expect(cells).not.toContain(address);
      expect(cells).toContain(`'${address}`);
    }
    // every cell of the export is safe to open, not only the addresses
    for (const record of records) for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
