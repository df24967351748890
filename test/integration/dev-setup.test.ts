import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { testConfig } from '../helpers/env.ts';
import { dropTestDatabase } from '../helpers/app.ts';
import { eventually, freePort, stopProcess, waitForOutput } from '../helpers/processes.ts';
import { connectMongo } from '../../src/composition/connections.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Runs the vitest global setup in a process of its own, with this environment. */
function runGlobalSetup(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', "const m = await import('./test/global-setup.ts'); await m.default();"], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

describe('npm test brings up what does not answer', () => {
  it('starts a redis-server when nothing answers at REDIS_URL, then passes', { timeout: 60_000 }, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'mailgate-services-'));
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const env = { ...process.env, REDIS_URL: redisUrl, MAILGATE_SERVICES_DIR: stateDir };
    cleanups.push(() => void spawnSync('bash', ['scripts/services.sh', 'down'], { env }));
    expect(await redisAnswers(redisUrl)).toBe(false);

    const { code, stderr } = await runGlobalSetup(env);
    expect(stderr).not.toMatch(/not answering/);
    expect(code).toBe(0);
    expect(await redisAnswers(redisUrl)).toBe(true);
  });

  it('fails fast, naming the service and why, when it cannot start it', { timeout: 60_000 }, async () => {
    // A PATH with the tools the script needs but no redis-server.
    const bin = mkdtempSync(join(tmpdir(), 'mailgate-bin-'));
    for (const tool of ['bash', 'node', 'dirname', 'mkdir', 'timeout', 'sleep', 'cat', 'sed', 'rm', 'mv', 'tail', 'date']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const { code, stderr } = await runGlobalSetup({ ...process.env, PATH: bin, REDIS_URL: redisUrl, MAILGATE_SERVICES_DIR: mkdtempSync(join(tmpdir(), 'mailgate-services-')) });
    expect(code).not.toBe(0);
    expect(stderr).toContain(`Redis not answering at ${redisUrl}`);
    expect(stderr).toContain('redis-server not on PATH');
    expect(stderr).not.toContain('MongoDB-wire server not answering');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('npm run dev', () => {
  const devDir = mkdtempSync(join(tmpdir(), 'mailgate-dev-'));
  const config = testConfig('devscript');
  cleanups.push(async () => {
    const db = await connectMongo(config.mongoUrl);
    await dropTestDatabase(db);
    await db.close();
  });

  async function startDev(): Promise<{ port: number; output: () => string; stop: () => Promise<void> }> {
    const port = await freePort();
    const child = spawn('bash', ['scripts/dev.sh'], {
      env: {
        ...process.env,
        MAILGATE_DEV_DIR: devDir,
        PORT: String(port),
        MONGO_URL: config.mongoUrl,
        QUEUE_PREFIX: config.queuePrefix,
        SMTP_URL: 'smtp://127.0.0.1:1', // dev ignores it: mail goes to .eml files
        NODE_ENV: 'production', // and runs as development
        MAILGATE_API_KEY: '',
        MAILGATE_SECRET: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const stop = () => stopProcess(child);
    cleanups.push(stop);
    await waitForOutput(child, /"event":"app\.started"/, 90_000);
    return { port, output: () => output, stop };
  }

  it('prints a generated API key once, keeps it in dev.env, serves the API and writes mail to .eml files', { timeout: 180_000 }, async () => {
    const first = await startDev();
    const printed = /MAILGATE_API_KEY=([0-9a-f]{48})/.exec(first.output())?.[1];
    expect(printed).toBeDefined();
    expect(readFileSync(join(devDir, 'dev.env'), 'utf8')).toContain(`MAILGATE_API_KEY=${printed}`);
    const api = (port: number, path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { authorization: `Bearer ${printed}`, 'content-type': 'application/json' } });
    expect((await api(first.port, '/v1/subscription-types')).status).toBe(200);

    const sample = JSON.parse(readFileSync('templates/welcome/sample.json', 'utf8')) as Record<string, unknown>;
    const sent = await api(first.port, '/v1/messages', {
      method: 'POST',
      body: JSON.stringify({ kind: 'transactional', to: 'newcomer@example.com', template: 'welcome', data: sample }),
    });
    expect(sent.status).toBe(202);
    const outbox = join(devDir, 'outbox');
    const eml = await eventually(() => {
      try {
        return readdirSync(outbox).find((f) => f.endsWith('.eml'));
      } catch {
        return undefined;
      }
    }, 30_000);
    expect(readFileSync(join(outbox, eml), 'utf8')).toMatch(/^To: newcomer@example\.com/m);
    await first.stop();

    const second = await startDev();
    expect(second.output()).not.toMatch(/MAILGATE_API_KEY=/);
    expect(second.output()).toContain(`using the development API key in ${join(devDir, 'dev.env')}`);
    expect((await api(second.port, '/v1/subscription-types')).status).toBe(200);
    await second.stop();
  });
});
