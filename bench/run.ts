// `npm run bench`: throughput of the send pipeline on this machine, against its ceilings. Starts
// what it needs: its own FerretDB (scripts/services.sh ferretdb-bin, on a free port; or the server
// at BENCH_MONGO_URL, e.g. a MongoDB 7), an SMTP sink (smtp-server) in a separate process and the
// send workers, the enqueue API and a bare nodemailer sender in separate processes; a private
// redis-server on a free port (or the Redis at BENCH_REDIS_URL), so INFO commandstats counts only
// the bench's commands. Prints a table and, as its last line, one JSON object with every figure.
//
// What mailgate itself costs, apart from the database server: CPU per message of the checking
// worker against a bare nodemailer sender of the same rendered messages (worker_overhead_ratio),
// CPU per enqueued message of the API, database and Redis commands per message on the send path.
//
// Sizes (env):
//   BENCH_MESSAGES        messages per e2e round, each variant (default 1500)
//   BENCH_SMTP_MESSAGES   messages per SMTP-leg round (bare nodemailer; default BENCH_MESSAGES)
//   BENCH_ENQUEUE         messages per enqueue / raw addBulk round (default 10000)
//   BENCH_IMPORT_ROWS     rows of the CSV import (default 5000; the issue's size: 100000)
//   BENCH_ROUNDS          A/B rounds, interleaved; figures are medians (default 2)
//   BENCH_RSS_MESSAGES    extra messages through the checking worker after the rounds, for the
//                         RSS figure (default 0; the issue's size: 50000 in total)
//   BENCH_CPU_PROF=dir    run the checking worker under node --cpu-prof, profile written to dir
//   BENCH_SCALE=1         also the scaling rounds: checked e2e rate and worker CPU per message with
//                         1k, 10k, 100k address states, then with 100k old message records on top
//                         (seeding ~200k documents: ~5 more minutes with the FerretDB fix)
//   BENCH_SCALE_STATES    the state counts of the scaling rounds (default 1000,10000,100000)
//   BENCH_SCALE_OLD       old message records of the last scaling round (default 100000)
//   BENCH_REDIS_URL       use this Redis instead of a private one (commandstats then count others too)
//   BENCH_BASE_REF=<git ref>  also a "base" lane whose worker runs that commit's code (a detached git
//                         worktree, sharing node_modules), interleaved with the checking lane in every
//                         round: worker_cpu_ms_per_msg against base_worker_cpu_ms_per_msg is what the
//                         commits since <ref> cost per message (e.g. the reputation counters and the
//                         frequency cap, #23: BENCH_BASE_REF=0cc8155)
//   BENCH_WEBHOOK_EVENTS  event types (comma-separated) of one webhook endpoint stored in every lane
//                         before its worker starts (e.g. message.sent: the send path stores a delivery
//                         per message, and marks and clears its outbox); none by default
//   BENCH_FREQUENCY_CAP   FREQUENCY_CAP of every lane (default 50/7d: every recipient of a round gets
//                         one message, so it never binds, but the cap's script runs for each message)
//   WORKER_CONCURRENCY, SMTP_POOL_SIZE  as for mailgate (default 50 and 5); the SMTP leg uses the same
//   MONGO_READ_SHAPE      as for mailgate (default auto: point reads on FerretDB); `batched` measures
//                         the worker with the reads it makes on MongoDB (one $in per batch)
import { execFileSync } from 'node:child_process';
import { forkChild, type Child } from './fork-child.ts';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { createApp, type App } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { SEND_JOB, sendJobOptions } from '../src/messages/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { sendQueueName } from '../src/shared/queues.ts';
import { deleteQueueKeys } from '../test/helpers/app.ts';
import { startOwnDatabase, type OwnDatabase } from '../test/helpers/ferretdb.ts';
import { startRedis } from '../test/helpers/processes.ts';
import { benchRender } from './render.ts';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const MESSAGES = num('BENCH_MESSAGES', 1_500);
const SMTP_MESSAGES = num('BENCH_SMTP_MESSAGES', MESSAGES);
const ENQUEUE = num('BENCH_ENQUEUE', 10_000);
const IMPORT_ROWS = num('BENCH_IMPORT_ROWS', 5_000);
const ROUNDS = num('BENCH_ROUNDS', 2);
const RSS_MESSAGES = num('BENCH_RSS_MESSAGES', 0);
const CPU_PROF = process.env.BENCH_CPU_PROF;
const SCALE = process.env.BENCH_SCALE === '1';
const SCALE_STATES = (process.env.BENCH_SCALE_STATES ?? '1000,10000,100000').split(',').map(Number);
const SCALE_OLD = num('BENCH_SCALE_OLD', 100_000);
const BASE_REF = process.env.BENCH_BASE_REF;
const BATCH = 1000;
const POST_CONCURRENCY = 2;
const OPTED_OUT_EVERY = 10; // 10 % of recipients opted out of all
const WARM = 300;
const API_KEY = 'bench-api-key-0123456789';
let REDIS_URL = process.env.BENCH_REDIS_URL ?? '';
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};


// --- templates: the shipped newsletter, and a small (~2 KB) marketing message ---
function benchTemplatesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-bench-templates-'));
  cpSync('templates', dir, { recursive: true });
  mkdirSync(join(dir, 'small'));
  writeFileSync(
    join(dir, 'small', 'meta.json'),
    JSON.stringify({ kind: 'marketing', subscriptionType: 'newsletter', subject: { en: 'News for {{firstName}}', de: 'Neues für {{firstName}}' } }),
  );
  writeFileSync(
    join(dir, 'small', 'template.mjml'),
    '<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{firstName}}, here is a short update: {{body}}</mj-text></mj-column></mj-section></mj-body></mjml>\n',
  );
  writeFileSync(join(dir, 'small', 'sample.json'), JSON.stringify({ firstName: 'Ann', body: 'three new features shipped this week.' }));
  return dir;
}

function benchEnv(label: string, mongoBase: string, extra: Record<string, string>): Record<string, string> {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  const mongo = new URL(mongoBase);
  mongo.pathname = `/${name}`;
  return {
    NODE_ENV: 'test',
    MONGO_URL: mongo.toString(),
    REDIS_URL,
    PORT: '0',
    QUEUE_PREFIX: name,
    MAILGATE_API_KEY: API_KEY,
    MAILGATE_SECRET: 'bench-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'https://mail.example.com',
    FREQUENCY_CAP: process.env.BENCH_FREQUENCY_CAP ?? '50/7d',
    // worker tuning from the caller's env, the same for the worker processes and the SMTP leg
    ...Object.fromEntries(['WORKER_CONCURRENCY', 'SMTP_POOL_SIZE', 'MONGO_READ_SHAPE'].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!])),
    ...extra,
  };
}

async function startApi(env: Record<string, string>): Promise<{ app: App; config: Config }> {
  const config = loadConfig(env);
  const app = await createApp(config, { api: true, worker: false }, createLogger(config.logLevel));
  await app.start();
  return { app, config };
}

async function stopApi({ app, config }: { app: App; config: Config }): Promise<void> {
  await app.ctx.db.dropDatabase().catch(() => undefined);
  await app.close();
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const chunk = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

async function postBatches(url: string, messages: unknown[]): Promise<void> {
  await pool(chunk(messages, BATCH), POST_CONCURRENCY, async (batch) => {
    const res = await fetch(`${url}/v1/messages/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: batch }),
    });
    if (res.status !== 202) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
    const { results } = (await res.json()) as { results: { error?: unknown }[] };
    const bad = results.find((r) => r.error);
    if (bad) throw new Error(`batch item refused: ${JSON.stringify(bad)}`);
  });
}

type Sample = { subject: string; html: string; text: string; headers: Record<string, string> };
interface Population {
  template: 'newsletter' | 'small';
  data: Record<string, unknown>;
}
const recipients = (n: number, tag: string, pop: Population) =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'marketing',
    to: `r${i}.${tag}@example.com`,
    template: pop.template,
    subscriptionType: 'newsletter',
    data: pop.template === 'small' ? { ...pop.data, firstName: `Reader ${i}` } : pop.data,
  }));

// --- a worker process and the API it belongs to ---
interface Stats {
  outcomes: { sent: number; suppressed: number; failed: number };
  rssMb: number;
  cpuMs: number;
  dbCommands: Record<string, number>;
}
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Commands the Redis server has run so far, by name (INFO commandstats). */
async function redisCallsByName(): Promise<Record<string, number>> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('commandstats');
    return Object.fromEntries([...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
  } finally {
    redis.disconnect();
  }
}
const redisByName: Record<string, number> = {};
let redisBefore: Record<string, number> = {};
/** Total commands so far; with `track`, the difference since the last tracked call is added to redisByName. */
async function redisCalls(track: 'start' | 'end' | 'no' = 'no'): Promise<number> {
  const now = await redisCallsByName();
  if (track === 'start') redisBefore = now;
  if (track === 'end') for (const [k, v] of Object.entries(now)) redisByName[k] = (redisByName[k] ?? 0) + v - (redisBefore[k] ?? 0);
  return sum(now);
}
interface Lane {
  api: { app: App; config: Config };
  worker: Child;
  stats(): Promise<Stats>;
  done(): Promise<number>;
}
/** A lane: this code's API adding the jobs, and a worker process running `workerFile` (this tree's, or a base commit's). */
async function startLane(mode: 'check' | 'no-check', env: Record<string, string>, workerFile = 'worker-process.ts'): Promise<Lane> {
  const api = await startApi(env);
  const hookEvents = process.env.BENCH_WEBHOOK_EVENTS?.split(',').filter(Boolean) ?? [];
  if (hookEvents.length > 0) {
    // Stored directly (the API refuses a private URL): the worker reads it at start. Its deliveries fail (nothing listens), alike in every lane.
    await api.app.ctx.db.collection<{ _id: string; url: string; events: string[]; secret: string; enabled: boolean; createdAt: Date }>('webhook_endpoints').insertOne({ _id: 'whe_bench', url: 'http://127.0.0.1:9/hooks', events: hookEvents, secret: `whsec_${randomBytes(24).toString('base64')}`, enabled: true, createdAt: new Date() });
  }
  const execArgv = mode === 'check' && CPU_PROF && workerFile === 'worker-process.ts' ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF)}`] : [];
  const { child } = await forkChild(workerFile, [mode], { ...process.env, ...env }, execArgv);
  const stats = () => child.ask<Stats>('stats');
  return { api, worker: child, stats, done: async () => ((s) => s.sent + s.suppressed + s.failed)((await stats()).outcomes) };
}
/** The code at `ref` in a detached worktree beside this one, sharing node_modules; removed at clean-up. */
function baseTree(ref: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-bench-base-'));
  rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => execFileSync('git', ['worktree', 'remove', '--force', dir], { stdio: 'ignore' }) };
}

async function stopLane(lane: Lane): Promise<void> {
  await lane.worker.close();
  await stopApi(lane.api);
}

async function waitFinal(lane: Lane, count: number): Promise<Stats> {
  const deadline = Date.now() + 30 * 60_000;
  let lastLog = Date.now();
  for (;;) {
    const stats = await lane.stats();
    const done = stats.outcomes.sent + stats.outcomes.suppressed + stats.outcomes.failed;
    if (done >= count) return stats;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} messages final at the deadline`);
    if (Date.now() - lastLog > 15_000) {
      log(`     ${done} of ${count} final`);
      lastLog = Date.now();
    }
    // Polled, not pushed: each poll costs the worker a little CPU (metrics read, IPC), so not too often.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One e2e round: opt 10 % of the round's recipients out (with-check lane only; the no-check lane
 * would send to them anyway), POST them in batches of 1,000, wait until the worker has a final
 * outcome for each. Returns messages handed to SMTP per second (suppressed ones are not counted).
 */
async function e2eRound(lane: Lane, sink: Child, pop: Population, n: number, optOut: boolean): Promise<{ perSecond: number; sent: number; suppressed: number }> {
  const tag = randomBytes(4).toString('hex');
  const messages = recipients(n, tag, pop);
  const optedOut = optOut ? messages.filter((_, i) => i % OPTED_OUT_EVERY === 0).map((m) => m.to) : [];
  for (const part of chunk(optedOut, 500)) {
    await lane.api.app.subscriptions!.store.applyMany(part.map((address) => ({ address, change: { optedOutOfAll: true }, context: { source: 'operator' as const, actor: 'bench' } })));
  }
  const before = (await lane.stats()).outcomes;
  await sink.ask('reset');
  const started = performance.now();
  await postBatches(lane.api.app.url!, messages);
  const after = (await waitFinal(lane, before.sent + before.suppressed + before.failed + n)).outcomes;
  const seconds = (performance.now() - started) / 1000;
  const received = await sink.ask<{ count: number }>('count');
  const sent = after.sent - before.sent;
  const suppressed = after.suppressed - before.suppressed;
  const failed = after.failed - before.failed;
  if (suppressed !== optedOut.length || sent !== n - optedOut.length || failed !== 0 || received.count !== sent) {
    throw new Error(`e2e outcome mismatch: sent ${sent} (sink ${received.count}), suppressed ${suppressed} (expected ${optedOut.length}), failed ${failed}`);
  }
  return { perSecond: sent / seconds, sent, suppressed };
}

// --- BullMQ alone: addBulk of the same jobs the API adds (the message id only) ---
async function rawAddBulkRound(pop: Population): Promise<number> {
  const prefix = `bench_raw_${randomBytes(3).toString('hex')}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(sendQueueName('transactional'), { connection: redis as unknown as ConnectionOptions, prefix });
  try {
    const jobs = recipients(ENQUEUE, randomBytes(4).toString('hex'), pop).map(() => {
      const id = randomBytes(12).toString('hex');
      return { name: SEND_JOB, data: { id, created: true as const }, opts: sendJobOptions(id, undefined, 12) };
    });
    const started = performance.now();
    await pool(chunk(jobs, BATCH), POST_CONCURRENCY, async (batch) => {
      await queue.addBulk(batch);
    });
    return ENQUEUE / ((performance.now() - started) / 1000);
  } finally {
    await queue.close();
    redis.disconnect();
    await deleteQueueKeys(REDIS_URL, prefix);
  }
}

// --- the batch API alone (no worker): validation, one insertMany, one addBulk per 1,000 ---
async function enqueueRound(url: string, pop: Population): Promise<number> {
  const messages = recipients(ENQUEUE, randomBytes(4).toString('hex'), pop);
  const started = performance.now();
  await postBatches(url, messages);
  return ENQUEUE / ((performance.now() - started) / 1000);
}

// --- nodemailer alone, in its own process: the worker's pool size and concurrency, the same
// rendered messages (each rendered for its own recipient, as the worker does), same sink ---
async function smtpLegRound(leg: Child, render: (to: string, id: string) => Sample, count: number): Promise<{ perSecond: number; cpuMsPerMsg: number }> {
  const tag = randomBytes(4).toString('hex');
  for (const part of chunk(Array.from({ length: count }, (_, i) => i), 200)) {
    const mails = part.map((i) => {
      const id = randomBytes(12).toString('hex');
      const to = `r${i}.${tag}@example.com`;
      return { id, from: 'bench@mail.example.com', to, ...render(to, id) };
    });
    await leg.ask({ load: mails });
  }
  const { count: sent, seconds, cpuMs } = await leg.ask<{ count: number; seconds: number; cpuMs: number }>('run');
  return { perSecond: sent / seconds, cpuMsPerMsg: cpuMs / sent };
}

// --- CSV import through the API, processed by the checking lane's worker ---
async function importRound(url: string, rows: number): Promise<number> {
  let csv = 'address,action,type,legalBasis,legalBasisExplanation\n';
  for (let i = 0; i < rows; i++) {
    if (i % 10 === 0) csv += `Imp${i}@Example.com,unsubscribe_all,,,\n`;
    else csv += `imp${i}@example.com,unsubscribe,${['newsletter', 'product-updates', 'events'][i % 3]},,\n`;
  }
  const headers = { authorization: `Bearer ${API_KEY}` };
  const started = performance.now();
  const res = await fetch(`${url}/v1/addresses/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: csv });
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
  const { jobId } = (await res.json()) as { jobId: string };
  let lastLog = Date.now();
  for (;;) {
    const job = (await (await fetch(`${url}/v1/jobs/${jobId}`, { headers })).json()) as { status: string; counts: Record<string, number> };
    if (job.status === 'failed') throw new Error(`import failed: ${JSON.stringify(job)}`);
    if (job.status === 'completed') break;
    if (Date.now() - lastLog > 15_000) {
      log(`     import: ${JSON.stringify(job.counts)}`);
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return rows / ((performance.now() - started) / 1000);
}

/**
 * Scaling: the checked e2e rate and the worker's CPU per message as the data grows. Address states
 * (of other addresses) are added up to each count, then old message records with their outcomes.
 * The server's cost may grow (FerretDB scans where it cannot use an index); the worker's must not.
 */
async function scaleRounds(lane: Lane, sink: Child, pop: Population): Promise<Record<string, number>> {
  const db = lane.api.app.ctx.db.db!;
  const states = db.collection<{ _id: string }>('address_states');
  const figures: Record<string, number> = {};
  const seed = async (count: number, make: (i: number) => Record<string, unknown>, col: string) => {
    for (let i = 0; i < count; i += 1000) {
      await db.collection(col).insertMany(Array.from({ length: Math.min(1000, count - i) }, (_, j) => make(i + j)) as never[], { ordered: false });
    }
  };
  const point = async (label: string) => {
    const s0 = await lane.stats();
    const { perSecond } = await e2eRound(lane, sink, pop, MESSAGES, true);
    const s1 = await lane.stats();
    figures[`scale_${label}_e2e_msgs_per_s`] = perSecond;
    figures[`scale_${label}_worker_cpu_ms_per_msg`] = (s1.cpuMs - s0.cpuMs) / MESSAGES;
    figures[`scale_${label}_db_commands_per_msg`] = (sum(s1.dbCommands) - sum(s0.dbCommands)) / MESSAGES;
    log(`   scale ${label}: ${perSecond.toFixed(1)}/s, worker ${figures[`scale_${label}_worker_cpu_ms_per_msg`]!.toFixed(2)} ms CPU/msg`);
  };
  const tag = randomBytes(3).toString('hex');
  const now = new Date();
  let seeded = 0;
  for (const target of SCALE_STATES) {
    const have = await states.countDocuments();
    log(`… scale: ${have} → ${target} address states`);
    const add = Math.max(0, target - have);
    await seed(add, (i) => ((a) => ({ _id: a, address: a, optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' }, suppression: null, updatedAt: now, version: 1, lastEventId: `seed${i}` }))(`s${seeded + i}.${tag}@example.com`), 'address_states');
    seeded += add;
    await point(`${target}_states_0_old`);
  }
  const template = await db.collection('messages').findOne({});
  const outcome = await db.collection('message_outcomes').findOne({ status: 'sent' });
  if (template && outcome && SCALE_OLD > 0) {
    log(`… scale: ${SCALE_OLD} old message records with their outcomes`);
    const old = new Date(Date.now() - 20 * 86_400_000);
    const idOf = (i: number) => `old${tag}${i.toString(16).padStart(12, '0')}`;
    await seed(SCALE_OLD, (i) => ({ ...template, _id: idOf(i), idempotencyKey: `m:${idOf(i)}`, createdAt: old, to: `o${i}.${tag}@example.com` }), 'messages');
    await seed(SCALE_OLD, (i) => ({ ...outcome, _id: idOf(i), at: old }), 'message_outcomes');
    await point(`${SCALE_STATES.at(-1)}_states_${SCALE_OLD}_old`);
  }
  return figures;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** The pid of the process listening as our own FerretDB (by its command line), if any. */
function ferretdbPid(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(`--listen-addr=127.0.0.1:${port}`)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function serverName(url: string): Promise<string> {
  const client = new MongoClient(url);
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === 'string' ? `FerretDB ${info.ferretdbVersion} (SQLite backend)` : `MongoDB ${String(info.version)}`;
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const figures: Record<string, number | string> = {};
  const templatesDir = benchTemplatesDir();
  let own: OwnDatabase | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await own?.destroy();
    rmSync(templatesDir, { recursive: true, force: true });
  };
  // Interrupted: still stop the workers, the sink and our FerretDB, and remove the queue keys.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    const mongoBase = process.env.BENCH_MONGO_URL ?? (own = await startOwnDatabase('bench')).url;
    figures.database = await serverName(mongoBase);
    if (!REDIS_URL) {
      const redis = await startRedis();
      cleanups.unshift(() => redis.stop()); // stopped last
      REDIS_URL = redis.url;
    }
    const { child: sink, first } = await forkChild('smtp-sink-process.ts', [], process.env);
    cleanups.push(() => sink.close());
    const sinkUrl = `smtp://127.0.0.1:${(first as { port: number }).port}`;
    log(
      `mailgate bench on ${figures.database}: ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GB, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    log(`  ${ROUNDS} rounds × ${MESSAGES} messages per e2e variant, ${SMTP_MESSAGES} per SMTP leg, ${ENQUEUE} per enqueue round, ${IMPORT_ROWS} import rows`);

    const extra = { TEMPLATES_DIR: templatesDir, SMTP_URL: sinkUrl };
    const check = await startLane('check', benchEnv('check', mongoBase, extra));
    cleanups.push(() => stopLane(check));
    const noCheck = await startLane('no-check', benchEnv('nocheck', mongoBase, extra));
    cleanups.push(() => stopLane(noCheck));
    let base: Lane | undefined;
    if (BASE_REF) {
      const tree = baseTree(BASE_REF);
      cleanups.push(async () => tree.remove());
      base = await startLane('check', benchEnv('base', mongoBase, extra), join(tree.dir, 'bench', 'worker-process.ts'));
      cleanups.push(() => stopLane(base!));
      figures.base_ref = `${BASE_REF} (${execFileSync('git', ['rev-parse', '--short', BASE_REF]).toString().trim()})`;
    }
    const enqEnv = benchEnv('enq', mongoBase, { TEMPLATES_DIR: templatesDir });
    const { child: enqueueChild, first: enqFirstMsg } = await forkChild('api-process.ts', [], { ...process.env, ...enqEnv });
    cleanups.push(async () => (await enqueueChild.close(), await deleteQueueKeys(REDIS_URL, enqEnv.QUEUE_PREFIX!)));
    const enqueueUrl = (enqFirstMsg as { url: string }).url;
    const { child: leg } = await forkChild('nodemailer-process.ts', [], { ...process.env, SMTP_URL: sinkUrl, ...Object.fromEntries(Object.entries(extra)) });
    cleanups.push(() => leg.close());

    const renderer = check.api.app.templates!.renderer;
    const newsletter: Population = { template: 'newsletter', data: renderer.get('newsletter')!.sampleData };
    const small: Population = { template: 'small', data: renderer.get('small')!.sampleData };
    const sampleOf = (template: string, data: Record<string, unknown>, to = 'r1.sample0000@example.com', messageId = randomBytes(12).toString('hex')): Sample =>
      renderer.render({ template, data, locale: 'en', to, messageId, subscriptionType: 'newsletter' });
    const renderNewsletter = (to: string, id: string) => sampleOf('newsletter', newsletter.data, to, id);
    const renderSmall = (to: string, id: string) => sampleOf('small', { ...small.data, firstName: 'Reader 1' }, to, id);
    const newsletterSample = sampleOf('newsletter', newsletter.data);
    const smallSample = sampleOf('small', { ...small.data, firstName: 'Reader 1' });
    figures.newsletter_html_bytes = Buffer.byteLength(newsletterSample.html) + Buffer.byteLength(newsletterSample.text);
    figures.small_html_bytes = Buffer.byteLength(smallSample.html) + Buffer.byteLength(smallSample.text);
    figures.worker_concurrency = check.api.config.workerConcurrency;
    figures.smtp_pool_size = check.api.config.smtpPoolSize;

    log('… warm-up (JIT, connections, SMTP pools)');
    for (const lane of [check, noCheck, ...(base ? [base] : [])]) {
      for (const pop of [newsletter, small]) await e2eRound(lane, sink, pop, WARM, false);
    }
    await smtpLegRound(leg, renderNewsletter, WARM);
    await enqueueRound(enqueueUrl, small);
    const rssStart = (await check.stats()).rssMb;
    const dbPid = own ? ferretdbPid(own.port) : undefined;
    const cpuPids = { worker_check: check.worker.pid, worker_no_check: noCheck.worker.pid, bench_and_api: process.pid, smtp_sink: sink.pid, ...(dbPid ? { ferretdb: dbPid } : {}) };
    // What the checking worker spent over the checked newsletter rounds, and the same for the no-check
    // worker, the bare nodemailer sender and the enqueue API over their rounds.
    const acc = { baseMsgs: 0, baseCpu: 0, checkMsgs: 0, checkCpu: 0, checkDb: 0, checkRedis: 0, noCheckMsgs: 0, noCheckCpu: 0, legMs: [] as number[], enqMsgs: 0, enqCpu: 0, enqRedis: 0 };
    const dbByName: Record<string, number> = {};
    const cpuUsed: Record<string, number> = Object.fromEntries(Object.keys(cpuPids).map((k) => [k, 0]));
    let cpuWall = 0;
    /** Runs `work`, adding the CPU seconds each process used meanwhile (for the checked newsletter rounds). */
    const measured = async <T>(work: () => Promise<T>): Promise<T> => {
      const before = Object.fromEntries(Object.entries(cpuPids).map(([k, pid]) => [k, cpuSeconds(pid)]));
      const started = performance.now();
      const result = await work();
      cpuWall += (performance.now() - started) / 1000;
      for (const [k, pid] of Object.entries(cpuPids)) cpuUsed[k]! += cpuSeconds(pid) - before[k]!;
      return result;
    };
    const processedAtStart = await check.done();

    const r: Record<string, number[]> = { base: [], smtp: [], e2e: [], noCheck: [], small: [], smallLeg: [], enqueue: [], raw: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      log(`… round ${round} of ${ROUNDS}`);
      const legRound = await smtpLegRound(leg, renderNewsletter, SMTP_MESSAGES);
      r.smtp!.push(legRound.perSecond);
      acc.legMs.push(legRound.cpuMsPerMsg);
      log(`   smtp leg (newsletter size)   ${r.smtp!.at(-1)!.toFixed(1)}/s, ${legRound.cpuMsPerMsg.toFixed(2)} ms CPU/msg`);
      // with and without the check alternate, and which goes first alternates too
      const lanes = ['check', ...(base ? (['base'] as const) : []), 'no-check'] as const;
      const pair = round % 2 ? lanes : [...lanes].reverse();
      for (const which of pair) {
        if (which === 'base') {
          const s0 = await base!.stats();
          r.base!.push((await e2eRound(base!, sink, newsletter, MESSAGES, true)).perSecond);
          const s1 = await base!.stats();
          acc.baseMsgs += MESSAGES;
          acc.baseCpu += s1.cpuMs - s0.cpuMs;
          log(`   e2e newsletter, base ${BASE_REF}  ${r.base!.at(-1)!.toFixed(1)}/s, worker ${((s1.cpuMs - s0.cpuMs) / MESSAGES).toFixed(2)} ms CPU/msg`);
        } else if (which === 'check') {
          const [s0, redis0] = [await check.stats(), await redisCalls('start')];
          r.e2e!.push((await measured(() => e2eRound(check, sink, newsletter, MESSAGES, true))).perSecond);
          const [s1, redis1] = [await check.stats(), await redisCalls('end')];
          acc.checkMsgs += MESSAGES;
          acc.checkCpu += s1.cpuMs - s0.cpuMs;
          acc.checkDb += sum(s1.dbCommands) - sum(s0.dbCommands);
          acc.checkRedis += redis1 - redis0;
          for (const [name, n] of Object.entries(s1.dbCommands)) dbByName[name] = (dbByName[name] ?? 0) + n - (s0.dbCommands[name] ?? 0);
          log(`   e2e newsletter, checked      ${r.e2e!.at(-1)!.toFixed(1)}/s, worker ${((s1.cpuMs - s0.cpuMs) / MESSAGES).toFixed(2)} ms CPU/msg`);
        } else {
          const s0 = await noCheck.stats();
          r.noCheck!.push((await e2eRound(noCheck, sink, newsletter, MESSAGES, false)).perSecond);
          const s1 = await noCheck.stats();
          acc.noCheckMsgs += MESSAGES;
          acc.noCheckCpu += s1.cpuMs - s0.cpuMs;
          log(`   e2e newsletter, no check     ${r.noCheck!.at(-1)!.toFixed(1)}/s, worker ${((s1.cpuMs - s0.cpuMs) / MESSAGES).toFixed(2)} ms CPU/msg`);
        }
      }
      r.small!.push((await e2eRound(check, sink, small, MESSAGES, true)).perSecond);
      log(`   e2e small, checked           ${r.small!.at(-1)!.toFixed(1)}/s`);
      r.smallLeg!.push((await smtpLegRound(leg, renderSmall, SMTP_MESSAGES)).perSecond);
      log(`   smtp leg (small)             ${r.smallLeg!.at(-1)!.toFixed(1)}/s`);
      const enqFirst = round % 2 === 1;
      const enq = async () => {
        const [cpu0, redis0] = [await enqueueChild.ask<{ cpuMs: number }>('cpu'), await redisCalls()];
        r.enqueue!.push(await enqueueRound(enqueueUrl, small));
        const [cpu1, redis1] = [await enqueueChild.ask<{ cpuMs: number }>('cpu'), await redisCalls()];
        acc.enqMsgs += ENQUEUE;
        acc.enqCpu += cpu1.cpuMs - cpu0.cpuMs;
        acc.enqRedis += redis1 - redis0;
      };
      if (enqFirst) await enq();
      r.raw!.push(await rawAddBulkRound(small));
      if (!enqFirst) await enq();
      log(`   enqueue API ${r.enqueue!.at(-1)!.toFixed(0)}/s, raw addBulk ${r.raw!.at(-1)!.toFixed(0)}/s`);
    }
    // Where the CPU went during the checked newsletter rounds: share of one core per process (2 cores = 200 %).
    for (const k of Object.keys(cpuPids)) figures[`e2e_cpu_pct_${k}`] = (cpuUsed[k]! / cpuWall) * 100;
    if (RSS_MESSAGES > 0) {
      log(`… ${RSS_MESSAGES} more small messages through the checking worker (RSS)`);
      for (const part of chunk(Array.from({ length: RSS_MESSAGES }), 10_000)) await e2eRound(check, sink, small, part.length, true);
    }
    if (SCALE) Object.assign(figures, await scaleRounds(check, sink, newsletter));
    const rssEnd = (await check.stats()).rssMb;
    const processed = (await check.done()) - processedAtStart;
    log(`   checking worker RSS ${rssStart.toFixed(1)} MB → ${rssEnd.toFixed(1)} MB over ${processed} messages`);

    log(`… CSV import, ${IMPORT_ROWS} rows`);
    figures.import_rows_per_s = await importRound(check.api.app.url!, IMPORT_ROWS);
    log(`   ${(figures.import_rows_per_s as number).toFixed(0)} rows/s`);
    // The send-time check reads address states; on FerretDB its cost grows with that collection.
    figures.address_states_after_import = await check.api.app.subscriptions!.store.states.estimatedDocumentCount();
    log(`… e2e small after the import (${figures.address_states_after_import} address states)`);
    figures.e2e_small_msgs_per_s_after_import = (await e2eRound(check, sink, small, Math.min(MESSAGES, 1000), true)).perSecond;
    log('… render');
    Object.assign(figures, await benchRender({ dir: templatesDir }));

    // every message of the checking lane has an outcome recorded in the database
    const counts = await check.api.app.messages!.repository.countByStatus();
    if (counts.queued || counts.failed) throw new Error(`checking lane left messages unfinished: ${JSON.stringify(counts)}`);

    const smtpLeg = median(r.smtp!);
    const e2e = median(r.e2e!);
    const e2eNoCheck = median(r.noCheck!);
    const enqueue = median(r.enqueue!);
    const raw = median(r.raw!);
    figures.smtp_leg_msgs_per_s = smtpLeg;
    figures.e2e_msgs_per_s = e2e;
    figures.ratio_e2e_to_smtp_leg = e2e / smtpLeg;
    figures.e2e_small_msgs_per_s = median(r.small!);
    figures.smtp_leg_small_msgs_per_s = median(r.smallLeg!);
    figures.e2e_no_check_msgs_per_s = e2eNoCheck;
    // time per sent message with the check (which also records the suppressed 10 %) vs without
    figures.suppression_check_overhead_pct = (e2eNoCheck / e2e - 1) * 100;
    figures.enqueue_msgs_per_s = enqueue;
    figures.raw_addbulk_jobs_per_s = raw;
    figures.ratio_enqueue_to_raw_addbulk = enqueue / raw;
    figures.worker_cpu_ms_per_msg = acc.checkCpu / acc.checkMsgs;
    figures.nodemailer_cpu_ms_per_msg = median(acc.legMs);
    figures.worker_overhead_ratio = (figures.worker_cpu_ms_per_msg as number) / (figures.nodemailer_cpu_ms_per_msg as number);
    figures.worker_no_check_cpu_ms_per_msg = acc.noCheckCpu / acc.noCheckMsgs;
    if (base) {
      figures.base_e2e_msgs_per_s = median(r.base!);
      figures.base_worker_cpu_ms_per_msg = acc.baseCpu / acc.baseMsgs;
      // what this tree's send path costs per message more than the base commit's, same messages, same run
      figures.worker_cpu_ms_per_msg_vs_base = (figures.worker_cpu_ms_per_msg as number) - (figures.base_worker_cpu_ms_per_msg as number);
    }
    figures.api_cpu_ms_per_enqueued_msg = acc.enqCpu / acc.enqMsgs;
    figures.db_commands_per_msg = acc.checkDb / acc.checkMsgs;
    figures.db_commands_by_name = JSON.stringify(Object.fromEntries(Object.entries(dbByName).filter(([, n]) => n > 0)));
    // The checked rounds include the check lane's API adding the jobs; its share is measured apart
    // in the enqueue rounds (the same code) and taken off, leaving the send path's own commands.
    figures.api_redis_commands_per_enqueued_msg = acc.enqRedis / acc.enqMsgs;
    figures.redis_commands_per_msg = acc.checkRedis / acc.checkMsgs - (figures.api_redis_commands_per_enqueued_msg as number);
    figures.redis_commands_checked_rounds_by_name = JSON.stringify(Object.fromEntries(Object.entries(redisByName).filter(([, n]) => n > 0)));
    figures.worker_rss_mb_start = rssStart;
    figures.worker_rss_mb_end = rssEnd;
    figures.worker_rss_messages = processed;
    figures.import_rows = IMPORT_ROWS;
    figures.rounds = ROUNDS;
    figures.e2e_messages_per_round = MESSAGES;
    figures.outcomes_checking_lane = JSON.stringify(counts);
  } finally {
    await cleanUp();
  }

  const rounded = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 100) / 100 : v]));
  const width = Math.max(...Object.keys(rounded).map((k) => k.length));
  console.log(`${'figure'.padEnd(width)}  value`);
  for (const [key, value] of Object.entries(rounded)) console.log(`${key.padEnd(width)}  ${value}`);
  console.log(JSON.stringify(rounded));
}

await main();
process.exit(0);
