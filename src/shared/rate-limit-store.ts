import { Cluster } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisClient } from './redis-client.ts';

/** The store one named limit counts in (express-rate-limit's `store`, or a counter of one's own). */
export type RateLimitStores = (name: string) => RedisStore;

/**
 * Where every rate limit counts: Redis, so a limit holds across all API processes, each limit's
 * keys under `<prefix>:rl:<name>:`. The composition root builds it from its Redis connection and
 * the deployment's prefix; the domains name their limits.
 */
export function redisRateLimitStores(redis: RedisClient, prefix: string): RateLimitStores {
  return (name) =>
    new RedisStore({
      sendCommandCluster: ({ command: [command = '', ...args] }) => send(redis, command, args),
      prefix: `${prefix}:rl:${name}:`,
    });
}

/**
 * The store loads its scripts with SCRIPT LOAD, which names no key: a cluster would send it to any
 * one node, while the EVALSHA that follows goes to the master of its one key. So on a cluster the
 * script is loaded on every master (again after a NOSCRIPT, e.g. on a promoted replica).
 */
async function send(redis: RedisClient, command: string, args: string[]): Promise<RedisReply> {
  if (redis instanceof Cluster && command.toUpperCase() === 'SCRIPT') {
    const [first] = await Promise.all(redis.nodes('master').map((node) => node.call(command, ...args)));
    return first as RedisReply;
  }
  return (await redis.call(command, ...args)) as RedisReply;
}
