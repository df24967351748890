import type { RedisClient } from '../shared/redis-client.ts';

/**
 * Which relay each stream sends through, shared by every process and read by the console. A stream
 * is on its primary unless it has failed over; then it stays on the secondary until
 * `failedOverUntil`, after which the next send probes the primary.
 */
export interface RelayState {
  /** The end of the stream's cool-off on its secondary (epoch ms), or undefined while it is on its primary. */
  failedOverUntil(stream: string): Promise<number | undefined>;
  /**
   * Puts the stream on its secondary until `until` (a failover, or another cool-off after a failed
   * probe); forgotten after `ttlMs`. True when the stream was on its primary: this call switched it.
   */
  failOver(stream: string, until: number, ttlMs: number): Promise<boolean>;
  /** Puts the stream back on its primary. True when it was failed over: this call restored it. */
  restore(stream: string): Promise<boolean>;
}

/**
 * One key per stream, `<prefix>:relay-failover:<stream>`, holding `failedOverUntil` and expiring
 * with its TTL. Single-key commands only, so it works on Redis Cluster as well.
 */
export class RedisRelayState implements RelayState {
  constructor(private readonly deps: { redis: RedisClient; prefix: string }) {}

  async failedOverUntil(stream: string): Promise<number | undefined> {
    const value = await this.deps.redis.get(this.key(stream));
    if (value === null) return undefined;
    // Not a number (written by hand?): failed over, with the cool-off over, so the primary is probed.
    const until = Number(value);
    return Number.isFinite(until) ? until : 0;
  }

  async failOver(stream: string, until: number, ttlMs: number): Promise<boolean> {
    // SET … GET in one command: of concurrent switches (several sends, several processes) exactly
    // one finds no previous value, and only that one is logged and counted.
    const previous = await this.deps.redis.set(this.key(stream), String(until), 'PX', Math.max(1, Math.ceil(ttlMs)), 'GET');
    return previous === null;
  }

  async restore(stream: string): Promise<boolean> {
    return (await this.deps.redis.del(this.key(stream))) === 1;
  }

  private key(stream: string): string {
    return `${this.deps.prefix}:relay-failover:${stream}`;
  }
}
