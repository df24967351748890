/**
 * Measures a bulk import end to end: an API process (this one) and a worker process (a child),
 * a CSV of N rows generated on the fly and streamed to POST /v1/addresses/import, then polls
 * GET /v1/jobs/:id until done. Reports upload and total time and the worker's peak RSS, sampled
 * every 20 ms with process.memoryUsage().rss. Uses its own database and queue prefix, removed after.
 *
 *   npx tsx scripts/measure-import.ts [rows=100000]
 *   MONGO_URL=mongodb://host:port/x REDIS_URL=redis://host:port npx tsx scripts/measure-import.ts 100000
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const API_KEY = 'measure-import-key-0123456789';

function env(name: string): NodeJS.ProcessEnv {
  const mongo = new URL(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/mailgate');
  mongo.pathname = `/${name}`;
  return {
    ...process.env,
    MONGO_URL: mongo.toString(),
    QUEUE_PREFIX: name,
    MAILGATE_API_KEY: API_KEY,
    MAILGATE_SECRET: 'measure-import-secret-0123456789',
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
}

async function runWorker(): Promise<void> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const app = await createApp(loadConfig(process.env), { api: false, worker: true });
  await app.start();
  const baseline = process.memoryUsage().rss;
  peak = baseline;
  process.send?.({ ready: true, baseline });
  process.on('message', (message: { report?: boolean }) => {
    if (!message.report) return;
    clearInterval(timer);
    process.send?.({ peak: Math.max(peak, process.memoryUsage().rss), baseline });
    void app.close().then(() => process.exit(0));
  });
}

function csvRows(rows: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i === 0) controller.enqueue(encoder.encode('address,action,type,legalBasis,legalBasisExplanation\n'));
      let text = '';
      for (const end = Math.min(i + 2000, rows); i < end; i++) {
        if (i % 1000 === 999) text += `broken-${i},unsubscribe,newsletter,,\n`; // rejected: not an address
        else if (i % 10 === 0) text += `User${i}@Example.com,unsubscribe_all,,,\n`;
        else text += `user${i}@example.com,unsubscribe,${['newsletter', 'product-updates', 'events'][i % 3]},,\n`;
      }
      controller.enqueue(encoder.encode(text));
      if (i >= rows) controller.close();
    },
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100_000);
  const name = `measure_${randomBytes(4).toString('hex')}`;
  const childEnv = env(name);
  const config = loadConfig(childEnv);
  const api = await createApp(config, { api: true, worker: false });
  await api.start();
  const child = fork(fileURLToPath(import.meta.url), ['worker'], { env: childEnv, execArgv: ['--import', 'tsx'] });
  const messages: { ready?: boolean; peak?: number; baseline?: number }[] = [];
  const next = () =>
    new Promise<{ ready?: boolean; peak?: number; baseline?: number }>((resolve, reject) => {
      const queued = messages.shift();
      if (queued) return resolve(queued);
      child.once('message', (m) => resolve(m as { peak?: number }));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
  try {
    const ready = await next();
    const headers = { authorization: `Bearer ${API_KEY}` };
    const started = Date.now();
    const res = await fetch(`${api.url}/v1/addresses/import`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: csvRows(rows),
      duplex: 'half',
    } as RequestInit);
    const uploaded = Date.now();
    if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
    const { jobId } = (await res.json()) as { jobId: string };
    let job: { status: string; counts: unknown; errors: unknown[] };
    for (;;) {
      job = (await (await fetch(`${api.url}/v1/jobs/${jobId}`, { headers })).json()) as typeof job;
      if (job.status === 'completed' || job.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const done = Date.now();
    child.send({ report: true });
    const { peak = 0, baseline = ready.baseline ?? 0 } = await next();
    console.log(
      JSON.stringify(
        {
          rows,
          status: job.status,
          counts: job.counts,
          firstErrors: job.errors.slice(0, 2),
          uploadSeconds: (uploaded - started) / 1000,
          totalSeconds: (done - started) / 1000,
          workerRssBaseline: mb(baseline),
          workerRssPeak: mb(peak),
        },
        null,
        2,
      ),
    );
  } finally {
    child.kill();
    await api.ctx.db.dropDatabase().catch(() => undefined);
    await api.close();
    const redis = new Redis(config.redisUrl);
    const keys = await redis.keys(`${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

if (process.argv[2] === 'worker') await runWorker();
else await main();
