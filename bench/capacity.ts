// `npm run bench:capacity`: the per-message figures of the capacity model (docs/scaling.md).
//
// Starts what it measures, so every counter is ours alone: its own redis-server on a free port
// (INFO commandstats and INFO cpu count only this run), its own FerretDB on a free port (its CPU
// from /proc), an SMTP sink in its own process, the enqueue API in its own process and ONE send
// worker process (the composition of workers/send.ts: the worker role on the send queues). Then:
//
//   1. enqueue: N messages (a mix of marketing and transactional) through POST /v1/messages/batch,
//      no worker running: API msgs/s and CPU ms per message, Redis and MongoDB commands per
//      message, Redis memory and MongoDB storage per waiting message.
//   2. send: the worker starts and sends them all to the sink: msgs/s and worker CPU ms per message
//      in the steady state (from 10 % to 90 % of the messages finished), Redis commands and Redis
//      CPU per message, MongoDB commands per message (the product's mailgate_mongo_commands_total),
//      FerretDB CPU per message (not MongoDB's), storage per message once the outcomes are written.
//
// Prints a table and, as its last line, one JSON object with every figure.
// Env: CAPACITY_MESSAGES (default 5000), CAPACITY_TRANSACTIONAL_SHARE (default 0.3),
// CAPACITY_MONGO_URL (a server of yours instead of an own FerretDB: its CPU is then not reported),
// WORKER_CONCURRENCY and SMTP_POOL_SIZE as for mailgate (defaults 50 and 5).
import { forkChild, type Child } from './fork-child.ts';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { startOwnDatabase } from '../test/helpers/ferretdb.ts';
import { eventually, startRedis } from '../test/helpers/processes.ts';

const N = Number(process.env.CAPACITY_MESSAGES ?? 5000);
const TRANSACTIONAL_SHARE = Number(process.env.CAPACITY_TRANSACTIONAL_SHARE ?? 0.3);
const API_KEY = 'capacity-api-key-0123456789';
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Stats {
  cpuMs: number;
  mongoCommands: Record<string, number>;
  outcomes: Record<string, number>;
}

// --- counters ---
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => v !== 0));
const top = (counts: Record<string, number>, per: number, n = 6) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${round(v / per, 3)}`)
    .join(', ');

/** CPU ms (user + system) a process has used so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
}
function ferretdbPid(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`--listen-addr=127.0.0.1:${port}`)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Redis commands by name (INFO commandstats; commands a Lua script calls are counted too), its used memory and CPU ms. */
async function redisFigures(redis: Redis): Promise<{ calls: Record<string, number>; usedMemory: number; cpuMs: number }> {
  const [commandstats, memory, cpu] = await Promise.all([redis.info('commandstats'), redis.info('memory'), redis.info('cpu')]);
  const calls = Object.fromEntries([...commandstats.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
  // Our own INFO and CONFIG calls are not mailgate's.
  delete calls.info;
  delete calls.config;
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { calls, usedMemory: field(memory, 'used_memory'), cpuMs: (field(cpu, 'used_cpu_sys') + field(cpu, 'used_cpu_user')) * 1000 };
}

/**
 * What stays in Redis once the messages are sent, by key shape (ids, numbers and addresses folded
 * to *): how many keys and their bytes (MEMORY USAGE of up to 100 keys per shape, scaled up).
 */
async function redisKeyShapes(redis: Redis, prefix: string): Promise<Record<string, { keys: number; bytes: number }>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const shape = key.replace(prefix, '<prefix>').replace(/[^:{}]*@[^:{}]*/g, '<address>').replace(/\b[0-9a-f]{16,}\b/g, '<id>').replace(/\d+/g, '<n>');
    groups.set(shape, [...(groups.get(shape) ?? []), key]);
  }
  const out: Record<string, { keys: number; bytes: number }> = {};
  for (const [shape, members] of groups) {
    const sample = members.slice(0, 100);
    const sizes = await Promise.all(sample.map((k) => redis.memory('USAGE', k)));
    const bytes = sizes.reduce<number>((a, b) => a + Number(b ?? 0), 0);
    out[shape] = { keys: members.length, bytes: Math.round((bytes / sample.length) * members.length) };
  }
  return out;
}

/** Data and index bytes of the database, by collection (collStats), where the server reports them. */
async function mongoStorage(url: string): Promise<{ total: number; documents: number; byCollection: Record<string, { count: number; size: number; indexSize: number }> }> {
  const client = new MongoClient(url);
  try {
    const db = client.db();
    const byCollection: Record<string, { count: number; size: number; indexSize: number }> = {};
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const s = (await db.command({ collStats: name })) as { count?: number; size?: number; totalIndexSize?: number };
      byCollection[name] = { count: s.count ?? 0, size: s.size ?? 0, indexSize: s.totalIndexSize ?? 0 };
    }
    const values = Object.values(byCollection);
    return { total: values.reduce((a, v) => a + v.size + v.indexSize, 0), documents: values.reduce((a, v) => a + v.count, 0), byCollection };
  } finally {
    await client.close();
  }
}

function sampleOf(template: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join('templates', template, 'sample.json'), 'utf8')) as Record<string, unknown>;
}

async function postAll(url: string, messages: unknown[]): Promise<void> {
  const batches = Array.from({ length: Math.ceil(messages.length / 1000) }, (_, i) => messages.slice(i * 1000, i * 1000 + 1000));
  let next = 0;
  const post = async () => {
    while (next < batches.length) {
      const res = await fetch(`${url}/v1/messages/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: batches[next++] }),
      });
      if (res.status !== 202) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
      const { results } = (await res.json()) as { results: { error?: unknown }[] };
      const bad = results.find((r) => r.error);
      if (bad) throw new Error(`batch item refused: ${JSON.stringify(bad)}`);
    }
  };
  await Promise.all([post(), post()]);
}

// --- the run ---
const ownRedis = await startRedis();
const ownDb = process.env.CAPACITY_MONGO_URL ? undefined : await startOwnDatabase();
const dbPid = ownDb ? ferretdbPid(ownDb.port) : undefined;
const name = `capacity_${randomBytes(3).toString('hex')}`;
const mongo = new URL(process.env.CAPACITY_MONGO_URL ?? ownDb!.url);
mongo.pathname = `/${name}`;
const mongoUrl = mongo.toString();
const redis = new Redis(ownRedis.url, { maxRetriesPerRequest: 1 });
const { child: sink, first: sinkReady } = await forkChild('smtp-sink-process.ts', [], process.env);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'test',
  MONGO_URL: mongoUrl,
  REDIS_URL: ownRedis.url,
  PORT: '0',
  QUEUE_PREFIX: name,
  MAILGATE_API_KEY: API_KEY,
  MAILGATE_SECRET: 'capacity-secret-0123456789abcdef',
  MAILGATE_ERASURE_KEY: 'capacity-erasure-key-0123456789abcdef-0123456789',
  LOG_LEVEL: 'warn',
  PUBLIC_URL: 'https://mail.example.com',
  SMTP_URL: `smtp://127.0.0.1:${Number((sinkReady as { port: number }).port)}`,
};
const processes: Child[] = [sink];
try {
  const { child: api, first: apiReady } = await forkChild('capacity-process.ts', ['api'], env);
  processes.push(api);
  const apiUrl = String((apiReady as { url: string }).url);

  const marketing = { template: 'product-update', subscriptionType: 'product-updates', data: sampleOf('product-update') };
  const transactional = { template: 'password-reset', data: sampleOf('password-reset') };
  const everyTransactional = TRANSACTIONAL_SHARE > 0 ? Math.round(1 / TRANSACTIONAL_SHARE) : Infinity;
  const messages = Array.from({ length: N }, (_, i) =>
    i % everyTransactional === 0
      ? { kind: 'transactional', to: `user${i}@example.com`, template: transactional.template, data: transactional.data }
      : { kind: 'marketing', to: `user${i}@example.com`, template: marketing.template, subscriptionType: marketing.subscriptionType, data: marketing.data },
  );
  const transactionalCount = messages.filter((m) => m.kind === 'transactional').length;

  // 1. enqueue, no worker running
  log(`capacity: enqueueing ${N} messages (${transactionalCount} transactional) through the API…`);
  await redis.config('RESETSTAT');
  const storage0 = await mongoStorage(mongoUrl);
  const redis0 = await redisFigures(redis);
  const api0 = await api.ask<Stats>('stats');
  const db0 = dbPid ? cpuMsOf(dbPid) : NaN;
  const t0 = performance.now();
  await postAll(apiUrl, messages);
  const enqueueSeconds = (performance.now() - t0) / 1000;
  const api1 = await api.ask<Stats>('stats');
  const db1 = dbPid ? cpuMsOf(dbPid) : NaN;
  const redis1 = await redisFigures(redis);
  const storage1 = await mongoStorage(mongoUrl);
  const enqueueRedisCalls = minus(redis1.calls, redis0.calls);
  const enqueueMongo = minus(api1.mongoCommands, api0.mongoCommands);

  // 2. send: one worker process, started now so its start-up is not counted
  log('capacity: starting one send worker process…');
  await redis.config('RESETSTAT');
  const redis2 = await redisFigures(redis);
  const { child: worker } = await forkChild('capacity-process.ts', ['send-worker'], env);
  processes.push(worker);
  const samples: { t: number; cpuMs: number; dbCpuMs: number; finished: number; stats: Stats }[] = [];
  const finishedOf = (s: Stats) => sum(s.outcomes);
  await eventually(
    async () => {
      const stats = await worker.ask<Stats>('stats');
      samples.push({ t: performance.now(), cpuMs: stats.cpuMs, dbCpuMs: dbPid ? cpuMsOf(dbPid) : NaN, finished: finishedOf(stats), stats });
      if (samples.length % 20 === 0) log(`capacity: ${finishedOf(stats)} of ${N} finished`);
      return finishedOf(stats) >= N;
    },
    30 * 60_000,
    250,
  );
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const redis3 = await redisFigures(redis);
  const storage2 = await mongoStorage(mongoUrl);
  const keyShapes = await redisKeyShapes(redis, name);
  const sinkCount = (await sink.ask<{ count: number }>('count')).count;
  const from = samples.find((s) => s.finished >= 0.1 * N)!;
  const to = samples.find((s) => s.finished >= 0.9 * N)!;
  const steadyMsgs = to.finished - from.finished;
  const sendRedisCalls = minus(redis3.calls, redis2.calls);
  const sendMongo = minus(last.stats.mongoCommands, first.stats.mongoCommands);
  const scripts = (calls: Record<string, number>) => (calls.evalsha ?? 0) + (calls.eval ?? 0) + (calls.fcall ?? 0);

  const figures = {
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GB, load ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`,
    messages: N,
    transactional: transactionalCount,
    outcomes: last.stats.outcomes,
    sink_received: sinkCount,
    enqueue_msgs_per_s: round(N / enqueueSeconds, 0),
    api_cpu_ms_per_msg: round((api1.cpuMs - api0.cpuMs) / N, 3),
    enqueue_redis_commands_per_msg: round(sum(enqueueRedisCalls) / N),
    enqueue_redis_scripts_per_msg: round(scripts(enqueueRedisCalls) / N, 3),
    enqueue_redis_top: top(enqueueRedisCalls, N),
    enqueue_redis_cpu_ms_per_msg: round((redis1.cpuMs - redis0.cpuMs) / N, 3),
    enqueue_mongo_commands_per_msg: round(sum(enqueueMongo) / N, 3),
    enqueue_mongo_by_command: top(enqueueMongo, N),
    enqueue_ferretdb_cpu_ms_per_msg: round((db1 - db0) / N, 3),
    redis_bytes_per_waiting_msg: round((redis1.usedMemory - redis0.usedMemory) / N, 0),
    mongo_bytes_per_enqueued_msg: round((storage1.total - storage0.total) / N, 0),
    mongo_documents_per_enqueued_msg: round((storage1.documents - storage0.documents) / N, 3),
    send_msgs_per_s_steady: round(steadyMsgs / ((to.t - from.t) / 1000), 1),
    send_msgs_per_s_whole: round(N / ((last.t - first.t) / 1000), 1),
    worker_cpu_ms_per_msg_steady: round((to.cpuMs - from.cpuMs) / steadyMsgs, 2),
    worker_cpu_ms_per_msg_whole: round((last.cpuMs - first.cpuMs) / N, 2),
    worker_cpu_share_of_core_steady: round((to.cpuMs - from.cpuMs) / (to.t - from.t), 2),
    send_redis_commands_per_msg: round(sum(sendRedisCalls) / N),
    send_redis_scripts_per_msg: round(scripts(sendRedisCalls) / N, 3),
    send_redis_top: top(sendRedisCalls, N),
    send_redis_cpu_ms_per_msg: round((redis3.cpuMs - redis2.cpuMs) / N, 3),
    send_mongo_commands_per_msg: round(sum(sendMongo) / N, 3),
    send_mongo_by_command: top(sendMongo, N),
    send_ferretdb_cpu_ms_per_msg: round((last.dbCpuMs - first.dbCpuMs) / N, 2),
    ferretdb_cpu_share_of_core_steady: round((to.dbCpuMs - from.dbCpuMs) / (to.t - from.t), 2),
    redis_bytes_per_msg_after_send: round((redis3.usedMemory - redis0.usedMemory) / N, 0),
    redis_keys_after_send: Object.fromEntries(
      Object.entries(keyShapes)
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .slice(0, 8)
        .map(([k, v]) => [k, `${v.keys} keys, ${round(v.bytes / 1024, 0)} KiB`]),
    ),
    mongo_bytes_per_msg_after_send: round((storage2.total - storage0.total) / N, 0),
    mongo_documents_per_msg_after_send: round((storage2.documents - storage0.documents) / N, 3),
    mongo_storage_after_send: Object.fromEntries(Object.entries(storage2.byCollection).filter(([, v]) => v.count > 0).map(([k, v]) => [k, `${v.count} docs, ${round(v.size / 1024, 0)} KiB + ${round(v.indexSize / 1024, 0)} KiB indexes`])),
  };
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  console.log(JSON.stringify(figures));
  if (sinkCount !== (last.stats.outcomes.sent ?? 0)) throw new Error(`the sink received ${sinkCount} messages, the worker counted ${last.stats.outcomes.sent ?? 0} sent`);
} finally {
  for (const child of processes.reverse()) await child.close();
  // An own FerretDB goes with its folder; a server of yours keeps no bench database.
  if (!ownDb) {
    const client = new MongoClient(mongoUrl);
    await client.db().dropDatabase().catch(() => undefined);
    await client.close();
  }
  redis.disconnect();
  await ownRedis.stop();
  await ownDb?.destroy();
}
