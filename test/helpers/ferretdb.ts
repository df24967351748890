import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { eventually, freePort, stopProcess } from './processes.ts';

let binary: string | undefined;
/** The FerretDB binary scripts/services.sh builds (once) and caches. */
function ferretdbBinary(): string {
  binary ??= execFileSync('bash', ['scripts/services.sh', 'ferretdb-bin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return binary;
}

async function ping(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export interface OwnDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A FerretDB (SQLite backend) of the test's own, on a free port, so a drill can stop and restart it. */
export async function startOwnDatabase(database = 'mailgate'): Promise<OwnDatabase> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-ferretdb-'));
  const url = `mongodb://127.0.0.1:${port}/${database}`;
  let child: ChildProcess | undefined;
  const own: OwnDatabase = {
    url,
    port,
    async start() {
      child = spawn(
        ferretdbBinary(),
        [
          '--handler=sqlite',
          `--sqlite-url=file:${dir}/?_pragma=busy_timeout(30000)`,
          `--state-dir=${dir}`,
          `--listen-addr=127.0.0.1:${port}`,
          '--debug-addr=-',
          '--telemetry=disable',
          '--log-level=error',
        ],
        { stdio: 'ignore' },
      );
      await eventually(() => ping(url), 30_000, 200);
    },
    async stop() {
      if (child) await stopProcess(child, 'SIGKILL');
      child = undefined;
    },
    async destroy() {
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}
