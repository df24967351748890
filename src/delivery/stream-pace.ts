import type { RedisClient } from '../shared/redis-client.ts';
import type { StreamRate } from '../config.ts';

/**
 * BullMQ checks a manual `queue.rateLimit` only on queues with a limiter `max` (moveToActive's
 * getRateLimitTTL), so a stream without a per-second or per-minute limit gets this one: far above
 * any relay, it never binds by itself, and a throttling reply still pauses every worker.
 */
export const UNLIMITED_PER_SECOND = 1_000_000_000;
/** A full window or a long back-off pauses the queue at most this long before one job looks again: a raised limit takes effect within it. */
export const PACE_RECHECK_MS = 10_000;
/** The first back-off after a throttling reply; it doubles while throttling goes on, up to the cap. */
export const THROTTLE_BASE_MS = 1000;
export const THROTTLE_MAX_MS = 60_000;
/** A counter key outlives its window by this much (it is never read after its window). */
const COUNTER_SLACK_MS = 60_000;

export type PaceWindow = 'second' | 'minute' | 'day';
const WINDOW_MS: Record<PaceWindow, number> = { second: 1000, minute: 60_000, day: 86_400_000 };

/** The queue-level BullMQ limiter of a stream: its tightest (shortest) limited window, fleet-wide. */
export function queueLimiterOf(rate: StreamRate): { max: number; duration: number } {
  if (rate.perSecond > 0) return { max: rate.perSecond, duration: WINDOW_MS.second };
  if (rate.perMinute > 0) return { max: rate.perMinute, duration: WINDOW_MS.minute };
  return { max: UNLIMITED_PER_SECOND, duration: WINDOW_MS.second };
}

/** The windows BullMQ's limiter does not cover: counted in Redis before each send. */
export function countedWindowsOf(rate: StreamRate): { window: PaceWindow; max: number }[] {
  const windows: { window: PaceWindow; max: number }[] = [];
  if (rate.perMinute > 0 && rate.perSecond > 0) windows.push({ window: 'minute', max: rate.perMinute });
  if (rate.perDay > 0) windows.push({ window: 'day', max: rate.perDay });
  return windows;
}

/**
 * The stream may not send now: a window is full (`limit`) or the relay asked it to slow down
 * (`throttled`). Not a failure: the job goes back to wait without spending an attempt
 * (delivery/send-worker.ts: `queue.rateLimit` + `Worker.RateLimitError`).
 */
export class StreamPaused extends Error {
  override name = 'StreamPaused';

  constructor(
    readonly stream: string,
    readonly reason: 'limit' | 'throttled',
    /** When sending may go on (the end of the full window, or of the back-off). */
    readonly until: Date,
    readonly detail: { window?: PaceWindow; backoffMs?: number; started?: boolean } = {},
    options?: ErrorOptions,
  ) {
    super(reason === 'limit' ? `stream ${stream}: ${detail.window ?? ''} limit reached until ${until.toISOString()}` : `stream ${stream}: throttled by the relay until ${until.toISOString()}`, options);
  }

  /** How long from `now` until sending may go on (at least 1 ms). */
  waitMs(now = Date.now()): number {
    return Math.max(1, this.until.getTime() - now);
  }
}

export interface PaceStatus {
  /** The relay's back-off in force, if any. */
  throttled: { until: Date; backoffMs: number } | undefined;
  /** Each counted window: sends counted in it, its limit, when it frees. */
  windows: { window: PaceWindow; used: number; max: number; freesAt: Date }[];
}

/**
 * A stream's pace beyond BullMQ's limiter, for every worker process at once: fixed-window counters
 * in Redis (one key per stream, window and window number: `…:pace:<stream>:<window>:<n>`, aligned
 * to the epoch, so a day is a UTC day) and the relay's back-off (`…:pace:<stream>:throttle`, with a
 * TTL). Single-key commands only, so it works on Redis Cluster as on one server.
 */
export class StreamPace {
  private readonly windows: { window: PaceWindow; max: number }[];
  private readonly now: () => number;

  constructor(private readonly deps: { redis: RedisClient; prefix: string; stream: string; rate: StreamRate; now?: () => number }) {
    this.windows = countedWindowsOf(deps.rate);
    this.now = deps.now ?? Date.now;
  }

  /**
   * Before a send: throws StreamPaused while the relay's back-off lasts or when a window is full;
   * otherwise the send is counted in every window (the keys counted are returned, for `giveBack`).
   * A refused count is taken back.
   */
  async acquire(): Promise<string[]> {
    const now = this.now();
    const throttle = await this.readThrottle();
    if (throttle && throttle.until > now) throw new StreamPaused(this.deps.stream, 'throttled', new Date(throttle.until), { backoffMs: throttle.backoffMs });
    const counted: string[] = [];
    for (const { window, max } of this.windows) {
      const { key, freesAt } = this.windowKey(window, now);
      const result = await this.deps.redis.multi().incr(key).pexpire(key, freesAt - now + COUNTER_SLACK_MS).exec();
      counted.push(key);
      const count = Number(result?.[0]?.[1] ?? 0);
      if (count > max) {
        await Promise.all(counted.map((k) => this.deps.redis.decr(k)));
        throw new StreamPaused(this.deps.stream, 'limit', new Date(freesAt), { window });
      }
    }
    return counted;
  }

  /** Takes back the counts of a send the relay refused for pace (it never went out). */
  async giveBack(counted: string[]): Promise<void> {
    await Promise.all(counted.map((key) => this.deps.redis.decr(key)));
  }

  /**
   * The relay answered a send with a throttling reply (throttling-reply.ts): the stream backs off.
   * A reply that comes while a back-off lasts (a send that started before it) joins it; the next
   * one after it doubles it (up to THROTTLE_MAX_MS); after twice the back-off without one, the
   * state expires and the next starts again from THROTTLE_BASE_MS.
   */
  async throttled(cause: unknown): Promise<StreamPaused> {
    const now = this.now();
    const previous = await this.readThrottle();
    if (previous && previous.until > now) {
      return new StreamPaused(this.deps.stream, 'throttled', new Date(previous.until), { backoffMs: previous.backoffMs, started: false }, { cause });
    }
    const backoffMs = previous ? Math.min(previous.backoffMs * 2, THROTTLE_MAX_MS) : THROTTLE_BASE_MS;
    const until = now + backoffMs;
    await this.deps.redis.set(this.throttleKey(), `${backoffMs}:${until}`, 'PX', backoffMs * 3);
    return new StreamPaused(this.deps.stream, 'throttled', new Date(until), { backoffMs, started: true }, { cause });
  }

  /** What the console shows: the back-off in force and how full each counted window is. */
  async status(): Promise<PaceStatus> {
    const now = this.now();
    const throttle = await this.readThrottle();
    const windows = await Promise.all(
      this.windows.map(async ({ window, max }) => {
        const { key, freesAt } = this.windowKey(window, now);
        return { window, max, used: Number((await this.deps.redis.get(key)) ?? 0), freesAt: new Date(freesAt) };
      }),
    );
    return { throttled: throttle && throttle.until > now ? { until: new Date(throttle.until), backoffMs: throttle.backoffMs } : undefined, windows };
  }

  /** The counter of `window` at `now`, and when that window ends. */
  windowKey(window: PaceWindow, now = this.now()): { key: string; freesAt: number } {
    const ms = WINDOW_MS[window];
    const n = Math.floor(now / ms);
    return { key: `${this.deps.prefix}:pace:${this.deps.stream}:${window}:${n}`, freesAt: (n + 1) * ms };
  }

  private throttleKey(): string {
    return `${this.deps.prefix}:pace:${this.deps.stream}:throttle`;
  }

  private async readThrottle(): Promise<{ backoffMs: number; until: number } | undefined> {
    const raw = await this.deps.redis.get(this.throttleKey());
    const match = raw === null ? null : /^(\d+):(\d+)$/.exec(raw);
    return match ? { backoffMs: Number(match[1]), until: Number(match[2]) } : undefined;
  }
}
