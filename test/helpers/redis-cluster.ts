// A Redis Cluster of the test's own: real redis-server processes on loopback, joined with
// `redis-cli --cluster create` (three masters with one replica each by default). For drills and
// smokes (test/faults/redis-cluster.test.ts). In process: testConfig(label, { REDIS_CLUSTER_NODES:
// cluster.nodeList }) (testConfig then leaves REDIS_URL out). A child process started with
// `{ ...process.env, … }` gets `...cluster.env`: REDIS_URL must be empty there, as REDIS_URL set
// next to REDIS_CLUSTER_NODES is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually, freePort, stopProcess, waitForOutput } from './processes.ts';

export interface RedisClusterNode {
  port: number;
  /** Undefined once the node was stopped (or killed) and not started again. */
  child: ChildProcess | undefined;
}

export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…`: every node, for REDIS_CLUSTER_NODES. */
  nodeList: string;
  /** The environment a child process needs for this cluster: `{ REDIS_URL: '', REDIS_CLUSTER_NODES: nodeList }`. */
  env: { REDIS_URL: string; REDIS_CLUSTER_NODES: string };
  /** The ports of the nodes that are masters now (CLUSTER NODES, asked of a live node). */
  masters(): Promise<number[]>;
  /** The master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** Stops one node (SIGKILL for a crash). */
  stopNode(port: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped node again with its own nodes.conf: it rejoins (as a replica, after a failover). */
  restartNode(port: number): Promise<void>;
  /**
   * Resolves when every running node reports `cluster_state:ok`, every replica has synced with its
   * master, and every master serving slots is a running node (after a kill: once a replica took over).
   */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 2000;

function nodeArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
}

async function startNode(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', nodeArgs(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /Ready to accept connections/, 10_000);
  // keep reading its log: a full pipe would stop the node (a cluster logs every failover)
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`))));
  });
}

async function ask<T>(port: number, question: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, connectTimeout: 1000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await question(redis);
  } finally {
    redis.disconnect();
  }
}

/** Starts `masters × (1 + replicasPerMaster)` nodes and joins them into a cluster whose state is ok. */
export async function startRedisCluster(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodes: (RedisClusterNode & { dir: string })[] = [];
  const stopAll = async () => {
    for (const node of nodes) if (node.child) await stopProcess(node.child, 'SIGKILL');
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'mailgate-cluster-'));
      nodes.push({ port, dir, child: await startNode(port, dir) });
    }
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
  } catch (err) {
    await stopAll();
    throw err;
  }

  const live = () => nodes.filter((n) => n.child);
  const clusterNodes = async () => {
    for (const node of live()) {
      try {
        return await ask(node.port, (r) => r.call('CLUSTER', 'NODES') as Promise<string>);
      } catch {
        // that node is not answering; ask the next
      }
    }
    throw new Error('no cluster node answers');
  };
  const cluster: RedisCluster = {
    nodes,
    nodeList: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    get env() {
      return { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodeList };
    },
    async masters() {
      return (await clusterNodes())
        .split('\n')
        .map((line) => line.split(' '))
        .filter(([, , flags = '', , , , , , slots]) => flags.split(',').includes('master') && !/fail/.test(flags) && slots !== undefined)
        .map(([, address = '']) => Number(/:(\d+)@/.exec(address)?.[1]));
    },
    async masterOf(key) {
      const slot = (await ask(live()[0]!.port, (r) => r.call('CLUSTER', 'KEYSLOT', key))) as number;
      const shards = (await ask(live()[0]!.port, (r) => r.call('CLUSTER', 'SLOTS'))) as [number, number, [string, number]][];
      const shard = shards.find(([from, to]) => slot >= from && slot <= to);
      if (!shard) throw new Error(`no master serves slot ${slot}`);
      return shard[2][1];
    },
    async stopNode(port, signal = 'SIGTERM') {
      const node = nodes.find((n) => n.port === port);
      if (!node?.child) throw new Error(`no running cluster node on port ${port}`);
      await stopProcess(node.child, signal);
      node.child = undefined;
    },
    async restartNode(port) {
      const node = nodes.find((n) => n.port === port);
      if (!node || node.child) throw new Error(`no stopped cluster node on port ${port}`);
      node.child = await startNode(port, node.dir);
    },
    async waitUntilOk(timeoutMs = 30_000) {
      await eventually(async () => {
        for (const node of live()) {
          const info = await ask(node.port, (r) => r.call('CLUSTER', 'INFO') as Promise<string>);
          if (!info.includes('cluster_state:ok')) return false;
          // a replica that has not synced with its master could not take over from it
          const replication = await ask(node.port, (r) => r.info('replication'));
          if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
        }
        // every slot served by a master that is running (a killed master counts until it is failed over)
        const now = await cluster.masters();
        const running = new Set(live().map((n) => n.port));
        return now.length >= masters && now.every((port) => running.has(port));
      }, timeoutMs, 200);
    },
    stop: stopAll,
  };
  try {
    await cluster.waitUntilOk();
  } catch (err) {
    await stopAll();
    throw err;
  }
  return cluster;
}
