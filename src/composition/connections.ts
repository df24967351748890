import mongoose, { type Connection } from 'mongoose';
import { Cluster, Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigError, type Config, type RedisTarget } from '../config.ts';
import { redisTargetVariable } from '../config-redis.ts';
import type { Logger } from '../shared/logger.ts';
import { readShapeOf, type ReadShape } from '../shared/mongo.ts';
import type { RedisClient } from '../shared/redis-client.ts';

/**
 * One mongoose connection per app. Commands are not buffered: while the database is away they fail
 * at once, so the API answers 503 and the worker retries the job later (fail closed).
 */
export async function connectMongo(url: string): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    bufferCommands: false,
    autoIndex: false,
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 20,
  });
  await connection.asPromise();
  return connection;
}

/**
 * A Redis connection: to the one server, the primary the Sentinels name, or a cluster. `client`, for
 * request paths (API, health): commands fail fast while Redis is away instead of queueing forever,
 * so callers can answer 503. `worker`, for BullMQ workers: `maxRetriesPerRequest: null`, as BullMQ
 * requires.
 */
export function createRedis(target: RedisTarget, purpose: 'client' | 'worker'): RedisClient {
  const options = {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableReadyCheck: true,
    connectTimeout: 3000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
    lazyConnect: false,
  };
  if (target.kind === 'server') return new Redis(target.url, options);
  if (target.kind === 'cluster') {
    // ioredis learns the slot map from any node that answers, follows MOVED/ASK, and re-reads the
    // map after a failover (a replica promoted by the cluster itself). Reads go to masters only:
    // a replica lags, and mailgate reads what it has just written.
    const { nodes, password } = target;
    const { retryStrategy, lazyConnect, ...perNode } = options;
    return new Cluster(nodes, {
      redisOptions: { ...perNode, ...(password ? { password } : {}) },
      clusterRetryStrategy: retryStrategy,
      lazyConnect,
      enableReadyCheck: true,
      scaleReads: 'master',
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
      slotsRefreshTimeout: 2000,
    });
  }
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

/** How long start-up waits for Sentinels to name a reachable primary, or for a cluster to answer. */
export const REDIS_START_TIMEOUT_MS = 10_000;

/**
 * Start-up waits for Sentinels or a cluster to be usable, at most `timeoutMs`, then stops with one
 * line naming the variable: a wrong list or a cluster without quorum fails in seconds instead of
 * leaving every worker waiting forever. (One server is not waited for: the API starts and answers
 * 503 until it comes, as it always has.)
 */
export async function awaitRedis(redis: RedisClient, target: RedisTarget, timeoutMs = REDIS_START_TIMEOUT_MS): Promise<void> {
  if (target.kind === 'server' || redis.status === 'ready') return;
  let lastError = '';
  const onError = (err: Error) => (lastError = err.message.replace(/\s+/g, ' ').slice(0, 200));
  redis.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = (target.kind === 'cluster' ? target.nodes : target.sentinels).map((n) => `${n.host}:${n.port}`).join(', ');
        const what = target.kind === 'cluster' ? 'no cluster node answered with a usable slot map' : `the sentinels named no reachable primary "${target.name}"`;
        reject(new ConfigError(`invalid configuration: ${redisTargetVariable(target)}: ${what} within ${timeoutMs / 1000} s (${list})${lastError ? `; last error: ${lastError}` : ''}`));
      }, timeoutMs);
      redis.once('ready', () => (clearTimeout(timer), resolve()));
    });
  } finally {
    redis.off('error', onError);
  }
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
  redis: RedisClient;
  metrics: Registry;
}

/** Opens what every process needs: MongoDB (and how to read it), Redis, and the metrics registry. */
export async function openConnections(config: Config, logger: Logger): Promise<Connections> {
  const db = await connectMongo(config.mongoUrl);
  const readShape = config.mongoReadShape === 'auto' ? await readShapeOf(db) : config.mongoReadShape;
  const redis = createRedis(config.redis, 'client');
  redis.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  await awaitRedis(redis, config.redis).catch(async (err: unknown) => {
    redis.disconnect();
    await db.close();
    throw err;
  });
  return { db, readShape, redis, metrics: createMetricsRegistry() };
}
