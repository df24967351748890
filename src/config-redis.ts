import { ConfigError } from './config-values.ts';

/*
 * Where Redis is (README: the REDIS_* rows and "Scaling out"): exactly one of
 *   REDIS_URL                                  one server (the default, redis://127.0.0.1:6379),
 *   REDIS_SENTINELS + REDIS_SENTINEL_NAME      the primary Redis Sentinel names (REDIS_DB picks the
 *                                              database, REDIS_PASSWORD / REDIS_SENTINEL_PASSWORD),
 *   REDIS_CLUSTER_NODES                        a Redis Cluster (some of its nodes; REDIS_PASSWORD).
 * An explicitly set REDIS_URL next to either of the others is refused, and so are Sentinels and a
 * cluster together. For tests: testConfig (test/helpers/env.ts) leaves REDIS_URL out when the env
 * it is given names REDIS_SENTINELS or REDIS_CLUSTER_NODES; a child process started with
 * `{ ...process.env, … }` must pass `REDIS_URL: ''` (empty counts as unset) for the same reason.
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; db: number; password?: string; sentinelPassword?: string }
  | { kind: 'cluster'; nodes: HostPort[]; password?: string };

export interface HostPort {
  host: string;
  port: number;
}

const MAX_NODES = 16;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])$/;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const refuse = (name: string, why: string): never => {
  throw new ConfigError(`invalid configuration: ${name}: ${why}`);
};
const set = (env: NodeJS.ProcessEnv, name: string): string => env[name]?.trim() ?? '';

function hostPorts(variable: string, list: string, example: string): HostPort[] {
  const parts = list.split(',').map((s) => s.trim());
  if (parts.length > MAX_NODES) refuse(variable, `names at most ${MAX_NODES} ${variable === 'REDIS_SENTINELS' ? 'sentinels' : 'nodes'}`);
  return parts.map((part) => {
    const at = part.lastIndexOf(':');
    const host = at > 0 ? part.slice(0, at) : '';
    const port = Number(at > 0 ? part.slice(at + 1) : NaN);
    if (!HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) refuse(variable, `"${part.slice(0, 80)}" is not host:port (a comma-separated list, e.g. ${example})`);
    return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
  });
}

/** The Redis target from REDIS_URL (`url`, defaulted), REDIS_SENTINELS or REDIS_CLUSTER_NODES and their companions. */
export function parseRedisTarget(env: NodeJS.ProcessEnv, url: string): RedisTarget {
  const sentinelList = set(env, 'REDIS_SENTINELS');
  const clusterList = set(env, 'REDIS_CLUSTER_NODES');
  const name = set(env, 'REDIS_SENTINEL_NAME');
  const db = set(env, 'REDIS_DB');
  const password = env.REDIS_PASSWORD || undefined;
  if (sentinelList !== '' && clusterList !== '') refuse('REDIS_CLUSTER_NODES', 'is set together with REDIS_SENTINELS: name either a cluster or the sentinels, not both');
  if (set(env, 'REDIS_URL') !== '' && (sentinelList !== '' || clusterList !== '')) {
    refuse('REDIS_URL', `is set together with ${sentinelList !== '' ? 'REDIS_SENTINELS' : 'REDIS_CLUSTER_NODES'}: leave REDIS_URL unset (REDIS_DB and REDIS_PASSWORD go with Sentinels)`);
  }
  if (name !== '' && sentinelList === '') refuse('REDIS_SENTINEL_NAME', 'is set without REDIS_SENTINELS');
  if (db !== '' && sentinelList === '') refuse('REDIS_DB', 'is set without REDIS_SENTINELS (the database of one server is the REDIS_URL path; a cluster has only database 0)');
  if (clusterList !== '') {
    const nodes = hostPorts('REDIS_CLUSTER_NODES', clusterList, '10.0.0.1:6379,10.0.0.2:6379');
    return { kind: 'cluster', nodes, ...(password ? { password } : {}) };
  }
  if (sentinelList === '') return { kind: 'server', url };
  const sentinels = hostPorts('REDIS_SENTINELS', sentinelList, '10.0.0.1:26379,10.0.0.2:26379');
  if (!NAME.test(name)) refuse('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS: the name the sentinels monitor (letters, digits, . _ -)');
  if (db !== '' && !/^(?:[0-9]|1[0-5])$/.test(db)) refuse('REDIS_DB', 'must be a whole number from 0 to 15');
  const sentinelPassword = env.REDIS_SENTINEL_PASSWORD || undefined;
  return { kind: 'sentinel', sentinels, name, db: Number(db || '0'), ...(password ? { password } : {}), ...(sentinelPassword ? { sentinelPassword } : {}) };
}

/** Which variable names where Redis is: the start-up check's refusal names it. */
export const redisTargetVariable = (target: RedisTarget): string => (target.kind === 'cluster' ? 'REDIS_CLUSTER_NODES' : target.kind === 'sentinel' ? 'REDIS_SENTINELS' : 'REDIS_URL');

/**
 * QUEUE_PREFIX: letters, digits, - and _, or such a name wrapped whole as a hash tag (`{mailgate}`:
 * BullMQ's documented cluster style, every queue in one slot). Any other brace would split a queue's
 * keys across slots, or hide the tag each queue gets on a cluster (shared/queues.ts).
 */
export function checkQueuePrefix(prefix: string): string {
  if (/^\{[A-Za-z0-9_-]+\}$/.test(prefix) || /^[A-Za-z0-9_-]+$/.test(prefix)) return prefix;
  if (/[{}]/.test(prefix)) refuse('QUEUE_PREFIX', 'braces only around the whole prefix, e.g. {mailgate} (a hash tag that puts every queue in one Redis Cluster slot); a tag on part of it would split or hide the queues\' slots');
  return refuse('QUEUE_PREFIX', 'letters, digits, - and _ only (or the whole prefix in braces, e.g. {mailgate})');
}
