import { Redis } from 'ioredis';
import { createApp, type App, type Roles } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';

/** Starts the real app (API and/or worker) on a random port; `stop` drops its database and queue keys. */
export async function startTestApp(config: Config, roles: Roles = { api: true, worker: true }): Promise<App & { stop(): Promise<void> }> {
  const app = await createApp(config, roles);
  await app.start();
  return Object.assign(app, {
    async stop() {
      const db = app.ctx.db;
      await db.dropDatabase().catch(() => undefined);
      await app.close();
      await deleteQueueKeys(config.redisUrl, config.queuePrefix);
    },
  });
}

export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
