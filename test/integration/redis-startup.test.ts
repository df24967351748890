// Bad input (#25): Sentinels or a cluster that never answer stop start-up within 30 s, with one line
// naming the variable, instead of leaving the process waiting for Redis forever.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mongoUrlFor, uniqueName } from '../helpers/env.ts';
import { freePort } from '../helpers/processes.ts';

const sharedRedisPort = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);

/** Runs an entry point with this environment until it exits: exit code, standard error lines, seconds taken. */
async function runUntilExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; lines: string[]; seconds: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, lines: stderr.trim().split('\n'), seconds: (Date.now() - started) / 1000 };
}

const baseEnv = (name: string): NodeJS.ProcessEnv => ({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', MONGO_URL: mongoUrlFor(name), QUEUE_PREFIX: name, REDIS_URL: '' });

describe('start-up with Sentinels or a cluster that never answer', () => {
  it('npm start with REDIS_CLUSTER_NODES on a port that refuses: exit 1 within 30 s, one line naming the variable', { timeout: 60_000 }, async () => {
    const port = await freePort(); // closed again at once: connections to it are refused
    const { code, lines, seconds } = await runUntilExit(['src/main.ts'], { ...baseEnv(uniqueName('startcluster')), REDIS_CLUSTER_NODES: `127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(seconds).toBeLessThan(30);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: REDIS_CLUSTER_NODES: no cluster node answered with a usable slot map within 10 s \\(127\\.0\\.0\\.1:${port}\\); last error: `));
  });

  it('a send worker with REDIS_SENTINELS naming a server that is no sentinel: exit 1 within 30 s, one line naming the variable', { timeout: 60_000 }, async () => {
    const { code, lines, seconds } = await runUntilExit(['workers/send.ts'], { ...baseEnv(uniqueName('startsentinel')), REDIS_SENTINELS: `127.0.0.1:${sharedRedisPort}`, REDIS_SENTINEL_NAME: 'nobody-monitors-this' });
    expect(code).toBe(1);
    expect(seconds).toBeLessThan(30);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: REDIS_SENTINELS: the sentinels named no reachable primary "nobody-monitors-this" within 10 s \\(127\\.0\\.0\\.1:${sharedRedisPort}\\)`));
  });
});
