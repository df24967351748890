import mongoose, { type Connection } from 'mongoose';
import { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Config, RedisTarget } from '../config.ts';
import { mongoConnectOptions } from '../config-mongo.ts';
import type { Logger } from '../shared/logger.ts';
import { readShapeOf, type ReadShape } from '../shared/mongo.ts';
import { countMongoCommands } from '../shared/mongo-metrics.ts';

/**
 * One mongoose connection per app. Commands are not buffered: while the database is away they fail
 * at once, so the API answers 503 and the worker retries the job later (fail closed). Write concern,
 * retries and read preference for a replica set: config-mongo.ts.
 */
export async function connectMongo(url: string): Promise<Connection> {
  const { driver } = mongoConnectOptions(url);
  const connection = mongoose.createConnection(url, { ...driver, bufferCommands: false, autoIndex: false });
  await connection.asPromise();
  return connection;
}

/**
 * A Redis connection, to the one server or the primary the Sentinels name. `client`, for request paths (API, health): commands fail fast while Redis is
 * away instead of queueing forever, so callers can answer 503. `worker`, for BullMQ workers:
 * `maxRetriesPerRequest: null`, as BullMQ requires.
 */
export function createRedis(target: RedisTarget, purpose: 'client' | 'worker'): Redis {
  const options = {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableReadyCheck: true,
    connectTimeout: 3000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
    lazyConnect: false,
  };
  if (target.kind === 'server') return new Redis(target.url, options);
  // Sentinel (config-redis.ts): ioredis asks the sentinels for the primary, and asks again after a
  // failover (a connection lost, or a READONLY reply from a demoted primary).
  const { sentinels, name, db, password, sentinelPassword } = target;
  return new Redis({
    ...options,
    sentinels,
    name,
    db,
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    sentinelRetryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
}

/** One registry per app instance (tests build several apps in one process), with Node's default metrics. */
function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mailgate_' });
  return registry;
}

export interface Connections {
  db: Connection;
  /** How repositories read many documents by `_id` on this server (docs/ferretdb.md). */
  readShape: ReadShape;
  /** Fail-fast connection for request paths and producers. */
  redis: Redis;
  metrics: Registry;
}

/** Opens what every process needs: MongoDB (and how to read it), Redis, and the metrics registry. */
export async function openConnections(config: Config, logger: Logger): Promise<Connections> {
  const db = await connectMongo(config.mongoUrl);
  const readShape = config.mongoReadShape === 'auto' ? await readShapeOf(db) : config.mongoReadShape;
  const redis = createRedis(config.redis, 'client');
  redis.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  const metrics = createMetricsRegistry();
  countMongoCommands(db, metrics);
  return { db, readShape, redis, metrics };
}
