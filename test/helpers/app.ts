import { Redis } from 'ioredis';
import { createApp, type App, type AppOverrides, type Roles } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import type { Connection } from 'mongoose';

/** Starts the real app (API and/or worker) on a random port; `stop` drops its database and queue keys. */
export async function startTestApp(config: Config, roles: Roles = { api: true, worker: true }, overrides: AppOverrides = {}): Promise<App & { stop(): Promise<void> }> {
  const app = await createApp(config, roles, undefined, overrides);
  await app.start();
  return Object.assign(app, {
    async stop() {
      await dropTestDatabase(app.ctx.db);
      await app.close();
      await deleteQueueKeys(config.redisUrl, config.queuePrefix);
    },
  });
}

export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined); // an unreachable Redis (tests of outages) has nothing to clean
  try {
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve).once('end', resolve));
    if (redis.status !== 'ready') return;
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

/**
 * Empties a test database collection by collection. Not dropDatabase: FerretDB's SQLite backend
 * deletes the database file on drop, and a connection of its pool still reading that file's WAL
 * index then dies with SIGBUS, taking the whole server down for every other test.
 */
export async function dropTestDatabase(db: Connection): Promise<void> {
  try {
    const collections = await db.db!.listCollections({}, { nameOnly: true }).toArray();
    for (const { name } of collections) await db.db!.collection(name).drop().catch(() => undefined);
  } catch {
    // the database may already be unreachable (fault drills); nothing to clean then
  }
}
