import type { RedisClient } from './redis-client.ts';
import { RedisStore, type RedisReply } from 'rate-limit-redis';

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
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
      prefix: `${prefix}:rl:${name}:`,
    });
}
