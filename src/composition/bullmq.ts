import { Queue, Worker, type ConnectionOptions, type DefaultJobOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { bullQueueName } from '../shared/queues.ts';
import type { RedisClient } from '../shared/redis-client.ts';
import { createRedis } from './connections.ts';
import { settlesWithin } from '../shared/deadline.ts';
import type { Closable, Lifecycle } from './lifecycle.ts';

/** How long a worker or schedule handle may take to close before it is forced (within Lifecycle's own bound). */
const CLOSE_MS = 10_000;

// BullMQ bundles its own ioredis, whose Redis and Cluster class types differ from ours by private
// members only; at run time BullMQ accepts any ioredis instance, one server or a cluster.
export const bullConnection = (redis: RedisClient): ConnectionOptions => redis as unknown as ConnectionOptions;

/** A connection for a BullMQ worker (maxRetriesPerRequest: null, as BullMQ requires). */
export function workerRedis(config: Config, logger: Logger): RedisClient {
  const connection = createRedis(config.redis, 'worker');
  connection.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  return connection;
}

/**
 * A BullMQ queue on the shared client connection, with its error handler, closed with the app:
 * the one way a queue is made. `event` names its log line (e.g. `messages.queue_error`). Every
 * queue, worker and schedule names its queue through bullQueueName (a hash tag on Redis Cluster).
 */
export function addQueue<D, R = unknown, N extends string = string>(
  life: Lifecycle,
  deps: { name: string; redis: RedisClient; config: Config; logger: Logger; event: string; defaultJobOptions?: DefaultJobOptions },
): Queue<D, R, N> {
  const queue = new Queue<D, R, N>(bullQueueName(deps.name, deps.config), {
    connection: bullConnection(deps.redis),
    prefix: deps.config.queuePrefix,
    ...(deps.defaultJobOptions ? { defaultJobOptions: deps.defaultJobOptions } : {}),
  });
  queue.on('error', (err) => deps.logger.debug({ event: deps.event, err: err.message }));
  life.onClose(queue, `queue ${deps.name}`);
  return queue;
}

/**
 * Starts a BullMQ Worker on a connection of its own when the app starts, and closes both (and
 * whatever `alsoClose` names, e.g. the transport) when it closes.
 */
export function addWorker<D, R>(
  life: Lifecycle,
  deps: { config: Config; logger: Logger; queue: string; processor: Processor<D, R>; options: Omit<WorkerOptions, 'connection'>; watch(worker: Worker<D, R>): void; alsoClose?: Closable; stoppedEvent?: string },
): void {
  life.onStart(async () => {
    const connection = workerRedis(deps.config, deps.logger);
    const worker = new Worker<D, R>(bullQueueName(deps.queue, deps.config), deps.processor, { ...deps.options, connection: bullConnection(connection), prefix: deps.config.queuePrefix });
    deps.watch(worker);
    life.onClose(
      {
        close: async () => {
          // A worker waits for its active jobs; one stuck on a node a failover took away would hold
          // the close forever: past the bound it is forced (the job's lock expires, it runs again),
          // and its connection is dropped either way.
          if (!(await settlesWithin(worker.close(), CLOSE_MS))) {
            deps.logger.warn({ event: 'app.close_slow', name: `worker ${deps.queue}`, afterMs: CLOSE_MS });
            void worker.close(true).catch(() => undefined);
          }
          await deps.alsoClose?.close();
          connection.disconnect();
        },
      },
      `worker ${deps.queue}`,
    );
    if (deps.options.autorun === false) void worker.run().catch((err: unknown) => deps.logger.error({ event: deps.stoppedEvent ?? `${deps.queue}.worker_stopped`, err }));
    await worker.waitUntilReady();
  });
}

/**
 * A repeatable job (a BullMQ job scheduler upserted by every process that serves the queue: BullMQ
 * runs each tick once, on one of them), on a queue handle of its own connection.
 */
export function addSchedule(life: Lifecycle, deps: { config: Config; logger: Logger; queue: string; job: string; everyMs: number; event: string; removeJobs?: string[] }): void {
  life.onStart(async () => {
    const connection = workerRedis(deps.config, deps.logger);
    const queue = new Queue(bullQueueName(deps.queue, deps.config), { connection: bullConnection(connection), prefix: deps.config.queuePrefix });
    queue.on('error', (err) => deps.logger.debug({ event: deps.event, err: err.message }));
    life.onClose({ close: async () => (await settlesWithin(queue.close(), CLOSE_MS), connection.disconnect()) }, `schedule ${deps.job}`);
    for (const old of deps.removeJobs ?? []) await queue.removeJobScheduler(old);
    await queue.upsertJobScheduler(deps.job, { every: deps.everyMs }, { name: deps.job, opts: { removeOnComplete: true, removeOnFail: 100 } });
  });
}
