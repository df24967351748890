import { Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { createRedis } from '../shared/redis.ts';

export interface Closable {
  close(): Promise<unknown>;
}

/** What the composition root starts, in order, and closes, in reverse order of registration. */
export class Lifecycle {
  private readonly starters: (() => Promise<unknown>)[] = [];
  private readonly closables: Closable[] = [];

  onStart(start: () => Promise<unknown>): void {
    this.starters.push(start);
  }

  onClose(closable: Closable): void {
    this.closables.push(closable);
  }

  async start(): Promise<void> {
    for (const start of this.starters) await start();
  }

  async close(logger: Logger): Promise<void> {
    for (const closable of [...this.closables].reverse()) {
      await closable.close().catch((err: unknown) => logger.warn({ event: 'app.close_error', err }));
    }
  }
}

// BullMQ bundles its own ioredis, whose Redis class type differs from ours by private members
// only; at run time BullMQ accepts any ioredis instance.
export const bullConnection = (redis: Redis): ConnectionOptions => redis as unknown as ConnectionOptions;

/** A connection for a BullMQ worker (maxRetriesPerRequest: null, as BullMQ requires). */
export function workerRedis(config: Config, logger: Logger): Redis {
  const connection = createRedis(config.redisUrl, 'worker');
  connection.on('error', (err) => logger.debug({ event: 'redis.error', err: err.message }));
  return connection;
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
    const worker = new Worker<D, R>(deps.queue, deps.processor, { ...deps.options, connection: bullConnection(connection), prefix: deps.config.queuePrefix });
    deps.watch(worker);
    life.onClose({ close: async () => (await worker.close(), await deps.alsoClose?.close(), connection.disconnect()) });
    if (deps.options.autorun === false) void worker.run().catch((err: unknown) => deps.logger.error({ event: deps.stoppedEvent ?? `${deps.queue}.worker_stopped`, err }));
    await worker.waitUntilReady();
  });
}
