import type { Queue } from 'bullmq';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Logger } from '../shared/logger.ts';

/** How many held jobs one release looks at, and how many at once. */
const RELEASE_BATCH = 500;
const RELEASE_PARALLEL = 50;

/**
 * The ids of marketing jobs a paused stream put in BullMQ's delayed set (docs/rules.md §13), kept in
 * a Redis set per stream (`<prefix>:rep:{<stream>}:held`), so that a resume sends them at once
 * instead of when their delay ends. A job is promoted only while it is delayed; one still active
 * (noted a moment before the worker moved it) is looked at again on the next release; anything else
 * (sent, gone) leaves the set. Several processes may release together: a second promote of the
 * same job fails and is ignored.
 */
export class HeldJobs {
  constructor(private readonly deps: { redis: RedisClient; prefix: string; queues: ReadonlyMap<string, Queue>; logger: Logger }) {}

  key(stream: string): string {
    return `${this.deps.prefix}:rep:{${stream}}:held`;
  }

  /** Never waits, never throws: if the note is lost, the job still looks again when its delay ends. */
  note(stream: string, jobId: string): void {
    this.deps.redis.sadd(this.key(stream), jobId).catch((err: unknown) => this.deps.logger.warn({ event: 'reputation.held_note_failed', stream, err: err instanceof Error ? err.message : String(err) }));
  }

  /** Promotes the stream's held jobs (a batch); returns how many were promoted. */
  async release(stream: string): Promise<number> {
    const queue = this.deps.queues.get(stream);
    if (!queue) return 0;
    const key = this.key(stream);
    const ids = await this.deps.redis.srandmember(key, RELEASE_BATCH);
    let promoted = 0;
    for (let i = 0; i < ids.length; i += RELEASE_PARALLEL) {
      const done = await Promise.all(ids.slice(i, i + RELEASE_PARALLEL).map((id) => this.releaseOne(queue, key, id)));
      promoted += done.filter(Boolean).length;
    }
    return promoted;
  }

  private async releaseOne(queue: Queue, key: string, id: string): Promise<boolean> {
    const job = await queue.getJob(id);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'active') return false; // about to be moved to delayed: next time
    if (job && state === 'delayed') {
      try {
        await job.promote();
      } catch {
        return false; // another process promoted it, or it moved on: the next release classifies it
      }
      await this.deps.redis.srem(key, id);
      return true;
    }
    await this.deps.redis.srem(key, id);
    return false;
  }
}
