import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig, TEST_SECRET } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const COUNT = 1000;
let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
const workers: ChildProcess[] = [];

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  // node --import tsx (rather than npx) so SIGTERM reaches the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/send.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  workers.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('delivery.worker_started')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    if (process.env.DEBUG_WORKERS) child.stdout!.on('data', (c: Buffer) => process.stderr.write(c));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

beforeAll(async () => {
  sink = await startSmtpSink({ parse: false });
  const config = testConfig('workers', { SMTP_URL: sink.url });
  app = await startTestApp(config, { api: true, worker: false });
  const env = {
    NODE_ENV: 'test',
    MONGO_URL: config.mongoUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: config.queuePrefix,
    SMTP_URL: sink.url,
    MAILGATE_SECRET: TEST_SECRET,
    PUBLIC_URL: config.publicUrl,
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: '25',
  };
  await Promise.all([startWorker(env), startWorker(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await app?.stop();
  await sink?.close();
});

it('two worker processes on one queue send 1,000 messages with no duplicates', async () => {
  const data = app.templates!.renderer.get('welcome')!.sampleData;
  const messages = Array.from({ length: COUNT }, (_, i) => ({ kind: 'transactional', to: `w${i}@example.com`, template: 'welcome', data }));
  const res = await fetch(`${app.url}/v1/messages/batch`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ messages }),
  });
  expect(res.status).toBe(202);
  const { results } = (await res.json()) as { results: { id: string; status: string }[] };
  expect(results.filter((r) => r.status === 'queued')).toHaveLength(COUNT);

    await sink.waitFor(COUNT, 150_000);
  // Let the queue drain completely, then make sure nothing arrived twice.
  const deadline = Date.now() + 30_000;
  while (((await app.messages!.repository.countByStatus()).queued ?? 0) > 0) {
    if (Date.now() > deadline) throw new Error('messages still queued');
    await new Promise((r) => setTimeout(r, 100));
  }
  // (a delayed retry may remain for a message already final: it will find it so and send nothing)
  expect(await app.messages!.queues.get('transactional')!.getJobCounts('waiting', 'active')).toMatchObject({ waiting: 0, active: 0 });
  expect(sink.count).toBe(COUNT);
  const recipients = sink.messages.map((m) => m.to[0]);
  expect(new Set(recipients).size).toBe(COUNT);
  const ids = new Set(sink.messages.map((m) => m.header('message-id')));
  expect(ids.size).toBe(COUNT);
  expect(await app.messages!.repository.countByStatus()).toEqual({ sent: COUNT });
}, 200_000);
