import type { RedisClient } from '../shared/redis-client.ts';
import { dayKey, dayOf, hourKey, hourOf } from './reputation-buckets.ts';

/** A stream's buckets as read: the last 168 UTC hours (newest last) and the last 30 UTC days (oldest first). */
export interface StreamBuckets {
  /** Hour numbers and their hashes, oldest first; the current hour last. */
  hours: { hour: number; hash: Record<string, string> }[];
  days: { day: number; hash: Record<string, string> }[];
}

export const WEEK_HOURS = 168;
export const MONTH_DAYS = 30;

/**
 * Reads a stream's counter buckets (reputation-buckets.ts) in one pipeline of HGETALLs, each on one
 * key. Only the guard's evaluation and the report read them — never the send path. Throws when
 * Redis cannot answer: the caller decides what that means (the guard keeps the state it has).
 */
export class ReputationReader {
  constructor(private readonly deps: { redis: RedisClient; prefix: string }) {}

  async read(stream: string, now: number, what: { days: boolean } = { days: true }): Promise<StreamBuckets> {
    const lastHour = hourOf(now);
    const lastDay = dayOf(now);
    const hours = Array.from({ length: WEEK_HOURS }, (_, i) => lastHour - WEEK_HOURS + 1 + i);
    const days = what.days ? Array.from({ length: MONTH_DAYS }, (_, i) => lastDay - MONTH_DAYS + 1 + i) : [];
    const pipeline = this.deps.redis.pipeline();
    for (const hour of hours) pipeline.hgetall(hourKey(this.deps.prefix, stream, hour));
    for (const day of days) pipeline.hgetall(dayKey(this.deps.prefix, stream, day));
    const results = (await pipeline.exec()) ?? [];
    const hashes = results.map(([err, value]) => {
      if (err) throw err;
      return (value ?? {}) as Record<string, string>;
    });
    if (hashes.length !== hours.length + days.length) throw new Error('reputation counters: incomplete read');
    return {
      hours: hours.map((hour, i) => ({ hour, hash: hashes[i]! })),
      days: days.map((day, i) => ({ day, hash: hashes[hours.length + i]! })),
    };
  }
}
