import { ConfigError } from './config-values.ts';

/**
 * Where Redis is (docs/rules.md §15): one server at REDIS_URL, or a primary that Redis Sentinel
 * names — REDIS_SENTINELS=host:port,… with REDIS_SENTINEL_NAME (the `sentinel monitor` name), and
 * REDIS_PASSWORD / REDIS_SENTINEL_PASSWORD when they need one. With Sentinels every connection
 * (BullMQ queues and workers, sessions, rate limits, counters) asks them for the primary and follows
 * a failover (ioredis). The REDIS_URL's database number is kept.
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; db: number; password?: string; sentinelPassword?: string };

const MAX_SENTINELS = 16;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])$/;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const refuse = (name: string, why: string): never => {
  throw new ConfigError(`invalid configuration: ${name}: ${why}`);
};

/** REDIS_SENTINELS and its companions; without REDIS_SENTINELS, the single server at `url`. */
export function parseRedisTarget(env: NodeJS.ProcessEnv, url: string): RedisTarget {
  const list = env.REDIS_SENTINELS?.trim() ?? '';
  const name = env.REDIS_SENTINEL_NAME?.trim() ?? '';
  if (list === '') {
    if (name !== '') refuse('REDIS_SENTINEL_NAME', 'is set without REDIS_SENTINELS');
    return { kind: 'server', url };
  }
  const parts = list.split(',').map((s) => s.trim());
  if (parts.length > MAX_SENTINELS) refuse('REDIS_SENTINELS', `names at most ${MAX_SENTINELS} sentinels`);
  const sentinels = parts.map((part) => {
    const at = part.lastIndexOf(':');
    const host = at > 0 ? part.slice(0, at) : '';
    const port = Number(at > 0 ? part.slice(at + 1) : NaN);
    if (!HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) refuse('REDIS_SENTINELS', `"${part.slice(0, 80)}" is not host:port (a comma-separated list, e.g. 10.0.0.1:26379,10.0.0.2:26379)`);
    return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
  });
  if (!NAME.test(name)) refuse('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS: the name the sentinels monitor (letters, digits, . _ -)');
  const db = Number(new URL(url).pathname.slice(1) || '0');
  const password = env.REDIS_PASSWORD || undefined;
  const sentinelPassword = env.REDIS_SENTINEL_PASSWORD || undefined;
  return { kind: 'sentinel', sentinels, name, db: Number.isInteger(db) ? db : 0, ...(password ? { password } : {}), ...(sentinelPassword ? { sentinelPassword } : {}) };
}
