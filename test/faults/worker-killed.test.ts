// Drill 1: a worker is SIGKILLed with 1,000 messages in flight; a new worker takes over.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { testConfig } from '../helpers/env.ts';
import { startTestApp } from '../helpers/app.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually, stopProcess, waitForOutput } from '../helpers/processes.ts';
import { duplicatesOf, enqueueAll, receivedIds, sampleData, statusCounts } from './drill-helpers.ts';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const child of children) await stopProcess(child, 'SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: worker killed mid-flight', () => {
  it('loses nothing: every message ends sent, duplicates at most the killed worker’s hands', { timeout: 180_000 }, async () => {
    const sink = await startSmtpSink({ parse: false });
    cleanups.push(() => sink.close());
    const concurrency = 20;
    const config = testConfig('drillkill', { SMTP_URL: sink.url, WORKER_CONCURRENCY: String(concurrency) });
    const api = await startTestApp(config, { api: true, worker: false });
    cleanups.push(() => api.stop());

    const startWorker = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'workers/send.ts'], {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          MONGO_URL: config.mongoUrl,
          REDIS_URL: config.redisUrl,
          QUEUE_PREFIX: config.queuePrefix,
          SMTP_URL: sink.url,
          MAILGATE_SECRET: config.secrets[0],
          PUBLIC_URL: config.publicUrl,
          WORKER_CONCURRENCY: String(concurrency),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      await waitForOutput(child, /"event":"app\.started"/, 30_000);
      return child;
    };

    const data = await sampleData(api.url!, 'welcome');
    const ids = await enqueueAll(
      api.url!,
      Array.from({ length: 1000 }, (_, i) => ({ kind: 'transactional' as const, to: `kill-${i}@drill.example.com`, template: 'welcome', data })),
    );
    expect(ids).toHaveLength(1000);

    const first = await startWorker();
    await sink.waitFor(250, 60_000);
    await stopProcess(first, 'SIGKILL');
    const atKill = sink.count;

    await startWorker();
    // The killed worker's active jobs come back once their locks expire (BullMQ stalled check).
    await eventually(async () => (await statusCounts(api)).sent === 1000, 150_000, 500);
    const received = receivedIds(sink);
    const duplicates = duplicatesOf(received);
    console.log(`[drill worker-killed] killed after ${atKill} deliveries; received ${received.length} for 1000 messages; duplicates ${duplicates}`);

    expect(await statusCounts(api)).toEqual({ sent: 1000 });
    expect(new Set(received)).toEqual(new Set(ids));
    // At worst the messages that were in the killed worker's hands (its concurrency) go twice.
    expect(duplicates).toBeLessThanOrEqual(concurrency);
  });
});
