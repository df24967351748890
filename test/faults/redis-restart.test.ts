// Drill 3: Redis is killed and restarted (append-only file) while delayed jobs wait.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually, startRedis } from '../helpers/processes.ts';
import { enqueueAll, sampleData, statusCounts } from './drill-helpers.ts';
import { dropTestDatabase } from '../helpers/app.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: Redis killed and restarted', () => {
  it('sends every delayed job after Redis returns; API and worker reconnect by themselves', { timeout: 120_000 }, async () => {
    const aof = mkdtempSync(join(tmpdir(), 'mailgate-aof-'));
    const redis = await startRedis(undefined, { appendOnlyDir: aof });
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig('drillredis', { REDIS_URL: redis.url, SMTP_URL: sink.url });
    const app: App = await createApp(config, { api: true, worker: true });
    await app.start();
    cleanups.push(async () => {
      await dropTestDatabase(app.ctx.db);
      await app.close();
    });
    const health = async () => (await fetch(`${app.url}/healthz`)).status;

    const data = await sampleData(app.url!, 'welcome');
    const to = Array.from({ length: 40 }, (_, i) => `redis-${i}@drill.example.com`);
    const sendAt = new Date(Date.now() + 6000).toISOString();
    const ids = await enqueueAll(
      app.url!,
      to.map((address) => ({ kind: 'transactional' as const, to: address, template: 'welcome', data, sendAt })),
    );
    expect(ids).toHaveLength(40);

    await redis.stop('SIGKILL');
    await eventually(async () => (await health()) === 503, 15_000);
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ mongo: 'up', redis: 'down' });
    expect(sink.count).toBe(0);

    const again = await startRedis(redis.port, { appendOnlyDir: aof });
    // Runs last (cleanups run in reverse): the app must close while its Redis still answers.
    cleanups.unshift(() => again.stop());
    await eventually(async () => (await health()) === 200, 30_000);
    await eventually(async () => (await statusCounts(app)).sent === 40, 60_000, 500);
    expect(await statusCounts(app)).toEqual({ sent: 40 });
    expect(sink.messages.flatMap((m) => m.to).sort()).toEqual([...to].sort());
  });
});
