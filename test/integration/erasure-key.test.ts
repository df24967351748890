import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { deleteQueueKeys, startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { mongoUrlFor, TEST_ERASURE_KEY, testConfig, uniqueName } from '../helpers/env.ts';
import { erasureId, legacyErasureId } from '../helpers/erasure.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// The erasure key (issue #19): erasure records are keyed with MAILGATE_ERASURE_KEY, which is never
// rotated, instead of MAILGATE_SECRET, which is. Records made the old way keep matching under every
// configured secret and move to the erasure key when found; `npm run erasures` moves them on purpose.
const OLD = 'an-older-secret-0123456789abcdef';
const NEW = 'a-newer-secret-0123456789abcdef';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let sink: SmtpSink;
let app: TestApp | undefined;
const { api, settled, send } = apiClient(() => app!);
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.org`;
const path = (address: string) => `/v1/addresses/${encodeURIComponent(address)}`;

/** Starts mailgate (API and workers) on `database` with these secrets, the first signing, as a deployment would. */
async function deploy(database: string, secrets: string[]): Promise<TestApp> {
  app = await startTestApp(testConfig('erasurekey', { MONGO_URL: mongoUrlFor(database), SMTP_URL: sink.url, MAILGATE_SECRET: secrets.join(',') }));
  return app;
}

/** Stops it and keeps the database, as a restart with a changed configuration does. */
async function shutDown(): Promise<void> {
  const running = app!;
  app = undefined;
  await running.close();
  await deleteQueueKeys(running.ctx.config.redisUrl, running.ctx.config.queuePrefix);
}

const records = () => app!.ctx.db.collection('erased_addresses').find({}).sort({ _id: 1 }).toArray();

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('the erasure key', () => {
  it('a record keyed under an old MAILGATE_SECRET still matches once the erasure key is in, moves to the erasure key, and survives that secret’s removal', { timeout: 90_000 }, async () => {
    const database = uniqueName('legacy');
    const address = fresh('legacy');
    const erasedAt = new Date('2026-03-04T05:06:07Z');
    // rotated before this release: NEW signs, OLD is still listed; the record was made under OLD
    await deploy(database, [NEW, OLD]);
    await app!.ctx.db.collection('erased_addresses').insertOne({ _id: legacyErasureId(address, OLD) as never, erasedAt });

    expect((await api('GET', path(address))).body).toMatchObject({ erased: true });
    expect(await records()).toEqual([{ _id: erasureId(address), erasedAt, keyed: 'erasure_key' }]);
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });

    await shutDown();
    await deploy(database, [NEW]); // OLD retired
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true });
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });
    expect(await records()).toEqual([{ _id: erasureId(address), erasedAt, keyed: 'erasure_key' }]);
  });

  it('rotating MAILGATE_SECRET (the new one first, the old one removed) loses no erasure made under the erasure key', { timeout: 90_000 }, async () => {
    const database = uniqueName('rotate');
    const address = fresh('rotate');
    await deploy(database, [OLD]);
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    expect((await api('DELETE', path(address))).status).toBe(200);

    await shutDown();
    await deploy(database, [NEW]);
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true });
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });
    const patch = await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } });
    expect(patch.status).toBe(409);
    expect(patch.body).toMatchObject({ error: { code: 'address_erased' } });
  });
});

describe('the explicit migration', () => {
  const lines: string[] = [];
  /** Starts the API with a logger we read, and returns the count it logged at start-up. */
  async function startUpCount(database: string): Promise<number> {
    lines.length = 0;
    const out = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) });
    const config = testConfig('erasurekey', { MONGO_URL: mongoUrlFor(database), MAILGATE_SECRET: `${NEW},${OLD}` });
    const started = await createApp(config, { api: true, worker: false }, createLogger('info', out));
    await started.start();
    await started.close();
    const line = lines.map((l) => JSON.parse(l) as { event?: string; count?: number }).find((l) => l.event === 'privacy.legacy_erasure_records');
    return line!.count!;
  }

  /** `npm run erasures -- <args>` with this standard input: its exit code and standard output (standard error is kept in `errors`). */
  const errors: string[] = [];
  function erasuresCli(database: string, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string }> {
    const env = { ...process.env, NODE_ENV: 'test', MONGO_URL: mongoUrlFor(database), MAILGATE_SECRET: `${NEW},${OLD}`, MAILGATE_ERASURE_KEY: TEST_ERASURE_KEY, LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/erasures.ts', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => errors.push(c.toString()));
    child.stdin.end(stdin);
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout })));
  }

  it('`npm run erasures -- migrate` moves the records of every address it is given or holds; the start-up log and `status` count what is left', { timeout: 90_000 }, async () => {
    const database = uniqueName('migrate');
    const held = fresh('held'); // erased, then changed again: it has a state document, so no read asks its record
    const listed = fresh('listed'); // only in the operator's own list
    const unknown = fresh('unknown'); // given by no one
    const seeded = await startTestApp(testConfig('erasurekey', { MONGO_URL: mongoUrlFor(database), MAILGATE_SECRET: `${NEW},${OLD}` }), { api: true, worker: false });
    const { api: seededApi } = apiClient(() => seeded);
    expect((await seededApi('PATCH', path(held), { optedOutOfAll: true })).status).toBe(200);
    const db = seeded.ctx.db;
    await db.collection('address_states').updateOne({ _id: held as never }, { $set: { erased: true } });
    const at = new Date('2026-01-01T00:00:00Z');
    await db.collection('erased_addresses').insertMany([held, listed, unknown].map((a) => ({ _id: legacyErasureId(a, OLD) as never, erasedAt: at })));

    try {
      expect(await startUpCount(database)).toBe(3);
      expect(await erasuresCli(database, ['status'])).toEqual({ code: 0, stdout: '3 erasure record(s) still keyed with a MAILGATE_SECRET\n' });
      expect(await erasuresCli(database, ['migrate'], `${listed.toUpperCase()}\nnot an address\n\n`)).toEqual({
        code: 0,
        stdout: 'checked 2 address(es) (1 invalid line(s) skipped); moved 2 record(s) to MAILGATE_ERASURE_KEY; 1 still keyed with a MAILGATE_SECRET\n',
      });
      expect(await startUpCount(database)).toBe(1);
      const ids = (await db.collection('erased_addresses').find({}).toArray()).map((r) => r._id as unknown as string).sort();
      expect(ids).toEqual([erasureId(held), erasureId(listed), legacyErasureId(unknown, OLD)].sort());
      expect(errors).toEqual([]);
      expect(await erasuresCli(database, ['rotate'])).toMatchObject({ code: 2 });
      expect(errors.join('')).toMatch(/^usage: npm run erasures -- status/);
    } finally {
      await seeded.stop();
    }
  });
});
