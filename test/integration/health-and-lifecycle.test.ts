import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createApp } from '../../src/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually, freePort, runEntryPoint, startRedis, waitForOutput } from '../helpers/processes.ts';
import { dropTestDatabase } from '../helpers/app.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('/healthz follows Redis going away and coming back', () => {
  it('answers 503 naming redis while it is down, and 200 again after it returns', async () => {
    const redis = await startRedis();
    const config = testConfig('health', { REDIS_URL: redis.url });
    const app = await createApp(config, { api: true, worker: false });
    await app.start();
    cleanups.push(async () => {
      await dropTestDatabase(app.ctx.db);
      await app.close();
    });
    const health = async () => {
      const res = await fetch(`${app.url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    expect(await health()).toEqual({ status: 200, body: { mongo: 'up', redis: 'up' } });

    await redis.stop();
    const down = await eventually(async () => {
      const h = await health();
      return h.status === 503 ? h : undefined;
    }, 15_000);
    expect(down.body).toEqual({ mongo: 'up', redis: 'down' });

    const again = await startRedis(redis.port);
    cleanups.unshift(() => again.stop()); // after the app has closed

    await eventually(async () => (await health()).status === 200, 15_000);
  });
});

const ENV = (extra: Record<string, string>) => ({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...extra });

describe('process entry points', () => {
  it('stops start-up with one line naming PORT when PORT=abc', { timeout: 90_000 }, async () => {
    const { code, stderrLines: lines } = await runEntryPoint(ENV({ PORT: 'abc' }));
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: PORT: /);
  });

  it.each([
    ['npm start (API + worker)', ['src/main.ts'], true],
    ['start:api', ['src/main.ts', 'api'], true],
    ['start:worker', ['workers/send.ts'], false],
  ])('%s closes cleanly on SIGTERM and exits 0', { timeout: 120_000 }, async (_name, args, serves) => {
    const port = await freePort();
    const config = testConfig('lifecycle');
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      env: ENV({ PORT: String(port), MONGO_URL: config.mongoUrl, QUEUE_PREFIX: config.queuePrefix, MAILGATE_SECRET: 'lifecycle-secret-0123456789' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (serves) {
      await waitForOutput(child, /"event":"http\.listening"/, 90_000);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
    } else {
      await waitForOutput(child, /"event":"(worker\.started|app\.started)"/, 90_000);
    }
    const closed = waitForOutput(child, /"event":"process\.closed"/, 20_000);
    child.kill('SIGTERM');
    await closed;
    expect(await exited).toBe(0);
  });

  it('a SIGTERM that arrives during start-up still closes cleanly and exits 0', { timeout: 120_000 }, async () => {
    const config = testConfig('lifecycle-early');
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/all.ts'], {
      env: ENV({ MONGO_URL: config.mongoUrl, QUEUE_PREFIX: config.queuePrefix, MAILGATE_SECRET: 'lifecycle-secret-0123456789' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // templates are compiled while the app is being built, before its workers start
    await waitForOutput(child, /"event":"templates\.loaded"/, 90_000);
    const closed = waitForOutput(child, /"event":"process\.closed"/, 30_000);
    child.kill('SIGTERM');
    await closed;
    expect(await exited).toBe(0);
  });
});
