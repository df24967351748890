// `npm run bench`: throughput of the send pipeline on this machine. Prints a table and, as the last
// line, one JSON object with every figure. Needs Redis and the database (scripts/services.sh up).
// Sizes: BENCH_MESSAGES (e2e and enqueue, default 3000), BENCH_SMTP_MESSAGES (default 5000).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { createApp, type App, type Roles } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createNodemailerTransport } from '../src/delivery/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { SEND_QUEUE } from '../src/shared/queues.ts';
import { SEND_JOB, sendJobOptions } from '../src/messages/send-job.ts';
import { deleteQueueKeys } from '../test/helpers/app.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3_000);
const SMTP_MESSAGES = Number(process.env.BENCH_SMTP_MESSAGES ?? 5_000);
const BATCH = 1000;
const POST_CONCURRENCY = 2;
const OPTED_OUT_SHARE = 0.1;
const API_KEY = 'bench-api-key-0123456789';
const baseMongo = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/mailgate';
const baseRedis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (line: string) => process.stderr.write(`${line}\n`);

// --- the SMTP sink, in its own process ---
interface Sink {
  url: string;
  count(): Promise<number>;
  reset(): Promise<void>;
  close(): void;
}
async function startSinkProcess(): Promise<Sink> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'smtp-sink-process.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (msg) => resolve((msg as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  const ask = (what: string) =>
    new Promise<number>((resolve) => {
      child.once('message', (msg) => resolve((msg as { count: number }).count));
      child.send(what);
    });
  return { url: `smtp://127.0.0.1:${port}`, count: () => ask('count'), reset: () => ask('reset').then(() => undefined), close: () => child.kill('SIGTERM') };
}

// --- a small marketing template (~2 KB of HTML) next to the shipped partials and catalog ---
function smallTemplatesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-bench-templates-'));
  cpSync('templates/_partials', join(dir, '_partials'), { recursive: true });
  cpSync('templates/subscription-types.json', join(dir, 'subscription-types.json'));
  for (const name of ['welcome', 'newsletter']) cpSync(join('templates', name), join(dir, name), { recursive: true });
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

function benchConfig(label: string, env: Record<string, string>): Config {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  const mongo = new URL(baseMongo);
  mongo.pathname = `/${name}`;
  return loadConfig({
    NODE_ENV: 'test',
    MONGO_URL: mongo.toString(),
    REDIS_URL: baseRedis,
    PORT: '0',
    QUEUE_PREFIX: name,
    MAILGATE_API_KEY: API_KEY,
    MAILGATE_SECRET: 'bench-secret-0123456789abcdef',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'https://mail.example.com',
    ...env,
  });
}

async function startApp(config: Config, roles: Roles): Promise<App> {
  const app = await createApp(config, roles, createLogger(config.logLevel));
  await app.start();
  return app;
}

async function stopApp(app: App, config: Config): Promise<void> {
  await app.ctx.db.dropDatabase().catch(() => undefined);
  await app.close();
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);
}

/** Runs `work` over `items` with at most `limit` in flight. */
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

const smallMessages = (n: number, run: string) =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'marketing',
    to: `r${i}.${run}@example.com`,
    template: 'small',
    subscriptionType: 'newsletter',
    data: { firstName: `Reader ${i}`, body: 'three new features shipped this week.' },
  }));

// --- 1. BullMQ alone: addBulk of the same jobs the API adds ---
async function benchRawAddBulk(): Promise<number> {
  const prefix = `bench_raw_${randomBytes(3).toString('hex')}`;
  const redis = new Redis(baseRedis, { maxRetriesPerRequest: 1 });
  const queue = new Queue(SEND_QUEUE, { connection: redis as unknown as ConnectionOptions, prefix });
  try {
    const ids = Array.from({ length: MESSAGES }, () => randomBytes(12).toString('hex'));
    const started = performance.now();
    await pool(chunk(ids, BATCH), POST_CONCURRENCY, async (batch) => {
      await queue.addBulk(batch.map((id) => ({ name: SEND_JOB, data: { id }, opts: sendJobOptions(id, undefined) })));
    });
    return MESSAGES / ((performance.now() - started) / 1000);
  } finally {
    await queue.close();
    redis.disconnect();
    await deleteQueueKeys(baseRedis, prefix);
  }
}

// --- 2. The batch API alone (no worker): validation, one insertMany, one addBulk per 1,000 ---
async function benchEnqueue(templatesDir: string): Promise<number> {
  const config = benchConfig('enq', { TEMPLATES_DIR: templatesDir });
  const app = await startApp(config, { api: true, worker: false });
  try {
    await postBatches(app.url!, smallMessages(BATCH, 'warm'));
    const messages = smallMessages(MESSAGES, 'enq');
    const started = performance.now();
    await postBatches(app.url!, messages);
    return MESSAGES / ((performance.now() - started) / 1000);
  } finally {
    await stopApp(app, config);
  }
}

// --- 3. nodemailer alone: the same pool size, messages of the same size, to the same sink ---
async function benchSmtpLeg(sink: Sink, sample: { subject: string; html: string; text: string; headers: Record<string, string> }, poolSize: number, concurrency: number): Promise<number> {
  const transport = createNodemailerTransport(
    { env: 'test', smtpUrl: sink.url, smtpPoolSize: poolSize, dkim: undefined, mailFrom: 'bench@mail.example.com', emlDir: tmpdir() },
    createLogger('warn'),
  );
  try {
    const send = (i: number) => transport.send({ id: randomBytes(12).toString('hex'), from: 'bench@mail.example.com', to: `leg${i}@example.com`, ...sample });
    await pool(Array.from({ length: 200 }, (_, i) => i), concurrency, (i) => send(i).then(() => undefined)); // warm-up: connections
    const started = performance.now();
    await pool(Array.from({ length: SMTP_MESSAGES }, (_, i) => i), concurrency, (i) => send(i).then(() => undefined));
    return SMTP_MESSAGES / ((performance.now() - started) / 1000);
  } finally {
    await transport.close();
  }
}

// --- 4. End to end: HTTP batch → record + job → worker (state check, render, SMTP) → sink ---
async function benchE2e(sink: Sink, templatesDir: string): Promise<{ perSecond: number; sent: number; suppressed: number; sample: { subject: string; html: string; text: string; headers: Record<string, string> }; poolSize: number; concurrency: number }> {
  const config = benchConfig('e2e', { TEMPLATES_DIR: templatesDir, SMTP_URL: sink.url });
  const app = await startApp(config, { api: true, worker: true });
  try {
    const run = randomBytes(3).toString('hex');
    const messages = smallMessages(MESSAGES, run);
    const optedOut = messages.filter((_, i) => i % Math.round(1 / OPTED_OUT_SHARE) === 0).map((m) => m.to);
    for (const part of chunk(optedOut, 500)) {
      await app.subscriptions!.store.applyMany(part.map((address) => ({ address, change: { optedOutOfAll: true }, context: { source: 'operator' as const, actor: 'bench' } })));
    }
    const WARM = 300;
    await postBatches(app.url!, smallMessages(WARM, `warm${run}`)); // warm-up: JIT, connections, SMTP pool
    await waitOutcomes(app, WARM, 120_000);
    await sink.reset();

    const model = app.messages!.model;
    const started = performance.now();
    await postBatches(app.url!, messages);
    await waitOutcomes(app, WARM + MESSAGES, 10 * 60_000);
    const seconds = (performance.now() - started) / 1000;

    const sent = await sink.count();
    const suppressed = await model.countDocuments({ status: 'suppressed' });
    const failed = await model.countDocuments({ status: 'failed' });
    if (suppressed !== optedOut.length || sent !== MESSAGES - optedOut.length || failed !== 0) {
      throw new Error(`e2e outcome mismatch: sent ${sent}, suppressed ${suppressed} (expected ${optedOut.length}), failed ${failed}`);
    }
    const sampleData = app.templates!.renderer.get('small')!.sampleData;
    const rendered = app.templates!.renderer.render({ template: 'small', data: sampleData, locale: 'en', to: 'sample@example.com', messageId: 'sample', subscriptionType: 'newsletter' });
    // Only messages handed to SMTP count as throughput; suppressed ones are work done, not mail sent.
    return { perSecond: sent / seconds, sent, suppressed, sample: rendered, poolSize: config.smtpPoolSize, concurrency: config.workerConcurrency };
  } finally {
    await stopApp(app, config);
  }
}

/** Final outcomes so far, from the app's own metrics (polling the database would compete with the worker). */
async function outcomes(app: App): Promise<number> {
  const metric = app.ctx.metrics.getSingleMetric('mailgate_messages_total');
  const values = metric ? (await metric.get()).values : [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function waitOutcomes(app: App, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = Date.now();
  for (;;) {
    const done = await outcomes(app);
    if (done >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} messages final at the deadline`);
    if (Date.now() - lastLog > 10_000) {
      log(`   ${done} of ${count} final`);
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const templatesDir = smallTemplatesDir();
  const sink = await startSinkProcess();
  const figures: Record<string, number | string> = {};
  try {
    log(`mailgate bench: ${MESSAGES} messages, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GB`);
    log('… raw BullMQ addBulk');
    figures.raw_addbulk_jobs_per_s = await benchRawAddBulk();
    log('… batch enqueue API');
    figures.enqueue_msgs_per_s = await benchEnqueue(templatesDir);
    log('… end to end');
    const e2e = await benchE2e(sink, templatesDir);
    figures.e2e_small_msgs_per_s = e2e.perSecond;
    figures.e2e_sent = e2e.sent;
    figures.e2e_suppressed = e2e.suppressed;
    figures.small_msg_html_bytes = Buffer.byteLength(e2e.sample.html);
    log('… SMTP leg alone');
    figures.smtp_leg_small_msgs_per_s = await benchSmtpLeg(sink, e2e.sample, e2e.poolSize, e2e.concurrency);
    figures.ratio_e2e_small_to_smtp_leg = (figures.e2e_small_msgs_per_s as number) / (figures.smtp_leg_small_msgs_per_s as number);
    figures.ratio_enqueue_to_raw_addbulk = (figures.enqueue_msgs_per_s as number) / (figures.raw_addbulk_jobs_per_s as number);
    if (existsSync(join(import.meta.dirname, 'render.ts'))) {
      log('… render');
      const { benchRender } = (await import('./render.ts')) as { benchRender: () => Promise<Record<string, number>> };
      Object.assign(figures, await benchRender());
    }
  } finally {
    sink.close();
    rmSync(templatesDir, { recursive: true, force: true });
  }

  const rounded = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 100) / 100 : v]));
  const width = Math.max(...Object.keys(rounded).map((k) => k.length));
  console.log(`${'figure'.padEnd(width)}  value`);
  for (const [key, value] of Object.entries(rounded)) console.log(`${key.padEnd(width)}  ${value}`);
  console.log(JSON.stringify(rounded));
}

await main();
process.exit(0);
