// Redis topologies for the failover drills (failover-drill.ts): real redis-server processes on
// loopback, started by the test, each with a SIGKILL for the node that serves the send queue.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { freePort, stopProcess, waitForOutput } from '../helpers/processes.ts';

/** A redis-server of the topology: stopped with SIGKILL by the drill or at the end. */
export interface RedisNode {
  port: number;
  child: ChildProcess;
}

/** Starts redis-server with these arguments (persistence off: a SIGKILL loses what was not replicated). */
export async function startNode(args: string[], ready: RegExp, children: ChildProcess[], port?: number): Promise<RedisNode> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-drill-redis-'));
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await waitForOutput(child, ready, 15_000);
  drain(child);
  return { port: p, child };
}

/**
 * A TCP relay on the replication link (replica → relay → primary) that can stop passing the
 * primary's stream: what the primary writes after `freeze()` never reaches the replica, as on a
 * replica that lags when its primary dies. `cut()` drops the link and what it held.
 */
export interface ReplicationLink {
  port: number;
  freeze(): void;
  cut(): void;
  close(): Promise<void>;
}

export async function startReplicationLink(primaryPort: number): Promise<ReplicationLink> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server = createServer((replica) => {
    const primary = createConnection({ port: primaryPort, host: '127.0.0.1' });
    for (const socket of [replica, primary]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (sockets.delete(socket), replica.destroy(), primary.destroy()));
    }
    replica.on('data', (chunk: Buffer) => primary.write(chunk));
    primary.on('data', (chunk: Buffer) => void (frozen || replica.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => void (frozen = true),
    cut,
    close: () => (cut(), new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

export interface SentinelTopology {
  name: string;
  primary: RedisNode;
  replica: RedisNode;
  /** The replica replicates through it. */
  link: ReplicationLink;
  sentinels: number[];
  /** The primary the sentinels name now. */
  currentPrimaryPort(): Promise<number>;
}

/**
 * A primary, one replica (replicating through a ReplicationLink) and three sentinels (quorum 2;
 * down after 1 s). The primary knows the replica by the port the replica reports, not the link's.
 */
export async function startSentinelTopology(children: ChildProcess[], name = 'mailgate-drill'): Promise<SentinelTopology> {
  const primary = await startNode([], /Ready to accept connections/, children);
  const link = await startReplicationLink(primary.port);
  const replica = await startNode(['--replicaof', '127.0.0.1', String(link.port)], /MASTER <-> REPLICA sync: Finished with success/, children);
  const sentinels: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'mailgate-sentinel-'));
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`, `sentinel down-after-milliseconds ${name} 1000`, `sentinel failover-timeout ${name} 5000`, `sentinel parallel-syncs ${name} 1`, ''].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    await waitForOutput(child, /\+monitor master/, 10_000);
    drain(child);
    sentinels.push(port);
  }
  return {
    name,
    primary,
    replica,
    link,
    sentinels,
    async currentPrimaryPort() {
      const sentinel = new Redis({ port: sentinels[0]!, host: '127.0.0.1' });
      try {
        const [, port] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string];
        return Number(port);
      } finally {
        sentinel.disconnect();
      }
    },
  };
}

/** Keeps reading a node's log once it is up: a pipe nobody reads fills, and the node then blocks on its next log line. */
function drain(child: ChildProcess): void {
  child.stdout?.resume();
  child.stderr?.resume();
}

export const killNode = (node: RedisNode): Promise<void> => stopProcess(node.child, 'SIGKILL');
