import type { Connection } from 'mongoose';
import { withDeadline } from './deadline.ts';
import type { RedisClient } from './redis-client.ts';

export type ServiceState = 'up' | 'down';
export interface Health {
  mongo: ServiceState;
  redis: ServiceState;
}

const within = (ms: number, work: () => Promise<unknown>): Promise<ServiceState> =>
  withDeadline(work(), ms, 'timeout').then(
    (): ServiceState => 'up',
    (): ServiceState => 'down',
  );

/** Live check of both services, each bounded by a short timeout so /healthz never hangs. */
export async function checkHealth(db: Connection, redis: RedisClient, timeoutMs = 1500): Promise<Health> {
  const [mongo, redisState] = await Promise.all([
    within(timeoutMs, async () => {
      if (!db.db) throw new Error('not connected');
      await db.db.admin().ping();
    }),
    within(timeoutMs, () => redis.ping()),
  ]);
  return { mongo, redis: redisState };
}
