import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
type Falsy = undefined | null | false | 0 | '';
export async function eventually<T>(check: () => Promise<T | Falsy> | T | Falsy, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A redis-server of the test's own, so the test may stop and restart it. */
export async function startRedis(
  port?: number,
  options: { appendOnlyDir?: string } = {},
): Promise<{ port: number; url: string; stop(signal?: NodeJS.Signals): Promise<void> }> {
  const p = port ?? (await freePort());
  const dir = options.appendOnlyDir ?? mkdtempSync(join(tmpdir(), 'mailgate-redis-'));
  const args = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  // With a folder given, every write is fsynced to the append-only file: a SIGKILL loses nothing.
  args.push('--appendonly', options.appendOnlyDir ? 'yes' : 'no', '--appendfsync', 'always');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /Ready to accept connections/, 10_000);
  return { port: p, url: `redis://127.0.0.1:${p}`, stop: (signal: NodeJS.Signals = 'SIGTERM') => stopProcess(child, signal) };
}

export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in output:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}:\n${seen.slice(-2000)}`));
    });
  });
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Runs `npm start`'s entry point with this environment until it exits: its exit code and standard error. */
export async function runEntryPoint(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderrLines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderrLines: stderr.trim().split('\n') };
}
