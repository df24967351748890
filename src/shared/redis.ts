import { Redis } from 'ioredis';

/**
 * A connection for request paths (API, health): commands fail fast while Redis is away instead of
 * queueing forever, so callers can answer 503. BullMQ workers get their own connections with
 * `maxRetriesPerRequest: null`, as BullMQ requires.
 */
export function createRedis(url: string, purpose: 'client' | 'worker'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableReadyCheck: true,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
}
