// `npm run bench:streams`: does a password reset wait behind a newsletter? (issue #22)
//
// Round A, "no backlog": TX_MESSAGES transactional messages are enqueued at TX_RATE per second into
// an idle mailgate and timed from enqueue to the sink's 250 (the moment the SMTP server accepted
// the data). Round B, "backlog": BACKLOG marketing messages are enqueued first and left draining;
// then the same transactional messages are enqueued at the same pace and timed the same way. Both
// rounds print p50, p95, p99 and max side by side, and the last line is one JSON object.
//
// It runs one mailgate process (API + every worker) in this process, against the MongoDB-wire server
// at MONGO_URL (a fresh database) and the Redis at REDIS_URL (a fresh prefix), and one SMTP sink here
// that answers 250 to everything. The same file runs on a checkout without streams: there every
// message shares one queue, which is what the figures then show.
//
// Sizes (env): BENCH_BACKLOG (default 50000), BENCH_TX (default 200), BENCH_TX_RATE (default 20/s),
// BENCH_TX_TIMEOUT_S (default 600: a transactional message not sent by then counts as that long).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createApp, type App } from '../src/app.ts';
import { connectMongo } from '../src/composition/connections.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/shared/logger.ts';
import { deleteQueueKeys, dropTestDatabase } from '../test/helpers/app.ts';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BACKLOG = num('BENCH_BACKLOG', 50_000);
const TX = num('BENCH_TX', 200);
const TX_RATE = num('BENCH_TX_RATE', 20);
const TX_TIMEOUT_MS = num('BENCH_TX_TIMEOUT_S', 600) * 1000;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Arrival time at the sink of each recipient, for the recipients the bench waits for. */
interface Sink {
  url: string;
  arrivals: Map<string, number>;
  count: number;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const arrivals = new Map<string, number>();
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: 1000,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const at = Date.now();
        count += 1;
        for (const r of session.envelope.rcptTo) if (r.address.startsWith('tx-')) arrivals.set(r.address.toLowerCase(), at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    get count() {
      return count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function startMailgate(label: string, sink: Sink): Promise<App> {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  const mongo = new URL(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/mailgate');
  mongo.pathname = `/${name}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    MONGO_URL: mongo.toString(),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: name,
    PORT: '0',
    MAILGATE_API_KEY: 'bench-api-key-0123456789',
    MAILGATE_SECRET: 'bench-secret-0123456789abcdef',
    MAILGATE_ERASURE_KEY: 'bench-erasure-key-0123456789abcdef',
    SMTP_URL: sink.url,
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'https://mail.example.test',
  });
  const app = await createApp(config, { api: false, worker: true }, createLogger('warn'));
  await app.start();
  return app;
}

/** Closes the workers first (a backlog is still queued), then drops what the round left behind. */
async function stop(app: App): Promise<void> {
  const { mongoUrl, redisUrl, queuePrefix } = app.ctx.config;
  await app.close();
  const db = await connectMongo(mongoUrl);
  await dropTestDatabase(db);
  await db.close();
  await deleteQueueKeys(redisUrl, queuePrefix);
}

/** Enqueues the transactional messages at TX_RATE/s; resolves with enqueue time per recipient. */
async function enqueueTransactional(app: App, run: string): Promise<Map<string, number>> {
  const data = app.templates.renderer.get('welcome')!.sampleData;
  const enqueued = new Map<string, number>();
  const gap = 1000 / TX_RATE;
  const start = Date.now();
  for (let i = 0; i < TX; i++) {
    const wait = start + i * gap - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const to = `tx-${run}-${i}@example.com`;
    enqueued.set(to, Date.now());
    await app.messages.enqueue({ kind: 'transactional', to, template: 'welcome', data });
  }
  return enqueued;
}

async function latencies(sink: Sink, enqueued: Map<string, number>): Promise<{ ms: number[]; missing: number }> {
  const deadline = Date.now() + TX_TIMEOUT_MS;
  while ([...enqueued.keys()].some((to) => !sink.arrivals.has(to)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const ms: number[] = [];
  let missing = 0;
  for (const [to, at] of enqueued) {
    const arrived = sink.arrivals.get(to);
    if (arrived === undefined) missing += 1;
    ms.push((arrived ?? at + TX_TIMEOUT_MS) - at);
  }
  return { ms: ms.sort((a, b) => a - b), missing };
}

async function backlog(app: App): Promise<void> {
  const data = app.templates.renderer.get('newsletter')!.sampleData;
  for (let i = 0; i < BACKLOG; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, BACKLOG - i) }, (_, j) => ({ kind: 'marketing', to: `news-${i + j}@example.com`, template: 'newsletter', subscriptionType: 'newsletter', data }));
    await app.messages.enqueueBatch(batch);
    if ((i / 1000) % 10 === 0) log(`  backlog: ${i + batch.length} of ${BACKLOG} enqueued`);
  }
}

async function round(label: string, withBacklog: boolean) {
  const sink = await startSink();
  const app = await startMailgate(label, sink);
  try {
    if (withBacklog) {
      await backlog(app);
      log(`  backlog enqueued; ${sink.count} sent so far, now the transactional messages`);
    }
    const enqueued = await enqueueTransactional(app, label);
    const { ms, missing } = await latencies(sink, enqueued);
    const figures = { p50_ms: percentile(ms, 50), p95_ms: percentile(ms, 95), p99_ms: percentile(ms, 99), max_ms: ms.at(-1)!, not_sent_in_time: missing, backlog_sent_meanwhile: sink.count - TX + missing };
    log(`  ${label}: p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms, max ${figures.max_ms} ms${missing ? `, ${missing} not sent within ${TX_TIMEOUT_MS / 1000} s` : ''}`);
    return figures;
  } finally {
    await stop(app);
    await sink.close();
  }
}

log(`streams bench: ${TX} transactional at ${TX_RATE}/s, alone and behind ${BACKLOG} marketing`);
const alone = await round('alone', false);
const behind = await round('backlog', true);
log('');
log('                       p50 ms   p95 ms   p99 ms   max ms');
for (const [name, f] of [['no backlog', alone], [`behind ${BACKLOG}`, behind]] as const) {
  log(`${name.padEnd(20)} ${String(f.p50_ms).padStart(8)} ${String(f.p95_ms).padStart(8)} ${String(f.p99_ms).padStart(8)} ${String(f.max_ms).padStart(8)}`);
}
process.stdout.write(`${JSON.stringify({ backlog: BACKLOG, transactional: TX, tx_rate_per_s: TX_RATE, no_backlog: alone, with_backlog: behind })}\n`);
process.exit(0);
