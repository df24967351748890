import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, StreamConfig } from '../config.ts';
import type { StreamActivity } from '../console/index.ts';
import { StreamPace, createNodemailerTransport, queueLimiterOf, relayOf, type MailTransport } from '../delivery/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';

/**
 * THE place a stream's relay is built, from its primary SMTP URL and, when set, its fallback
 * (STREAM_<NAME>_SMTP_FALLBACK_URL). Relay failover (issue #22, `delivery/failover-transport.ts`)
 * plugs in at the marked line: wrap both, e.g.
 *   `return new FailoverTransport({ primary, fallback: relay(stream.smtpFallbackUrl), … })`.
 * Everything else (pace, sender, worker) takes whatever this returns.
 */
export function streamTransport(stream: StreamConfig, deps: { config: Config; logger: Logger; tags: MessageTags }): MailTransport {
  const relay = (smtpUrl: string | undefined) =>
    createNodemailerTransport({ env: deps.config.env, emlDir: deps.config.emlDir, smtpUrl, smtpPoolSize: stream.smtpPoolSize, dkim: stream.dkim, mailFrom: stream.mailFrom, bounceDomain: stream.bounceDomain }, deps.logger, deps.tags);
  const primary = relay(stream.smtpUrl);
  if (stream.smtpFallbackUrl === undefined) return primary;
  // ── failover plugs in here: wrap `primary` and `relay(stream.smtpFallbackUrl)` ──
  deps.logger.warn({ event: 'delivery.fallback_not_used', stream: stream.name, fallback: relayOf(stream.smtpFallbackUrl) }, `stream ${stream.name}: a fallback relay is configured but this version does not fail over yet`);
  return primary;
}

/** A stream's pace in Redis (delivery/stream-pace.ts): its counted windows and the relay's back-off. */
export function streamPace(stream: StreamConfig, deps: { config: Config; redis: Redis }): StreamPace {
  return new StreamPace({ redis: deps.redis, prefix: deps.config.queuePrefix, stream: stream.name, rate: stream.rate });
}

/**
 * Writes a stream's tightest window into its queue as BullMQ's queue-level limiter (fleet-wide; the
 * last process to start wins, so run every process with the same limits). Always set, even for an
 * unlimited stream: BullMQ honours `queue.rateLimit` — the pauses of full windows and throttling
 * replies — only on a queue with a limiter (stream-pace.ts UNLIMITED_PER_SECOND).
 */
export async function applyQueueLimiter(queue: Queue, stream: StreamConfig): Promise<void> {
  const { max, duration } = queueLimiterOf(stream.rate);
  await queue.setGlobalRateLimit(max, duration);
}

/** Every stream as it stands now: queue depth (BullMQ), relay (no credentials), limits, back-off and full windows (Redis). */
export function streamStatuses(deps: { config: Config; redis: Redis; queues: ReadonlyMap<string, Queue> }): () => Promise<StreamActivity[]> {
  const paces = new Map(deps.config.streams.map((s) => [s.name, streamPace(s, deps)]));
  return () =>
    Promise.all(
      deps.config.streams.map(async (stream): Promise<StreamActivity> => {
        const [queue, pace] = await Promise.all([
          deps.queues.get(stream.name)!.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
          paces.get(stream.name)!.status(),
        ]);
        return {
          name: stream.name,
          relay: stream.smtpUrl === undefined ? 'eml' : relayOf(stream.smtpUrl),
          queue,
          limits: stream.rate,
          throttledUntil: pace.throttled?.until.toISOString(),
          full: pace.windows.filter((w) => w.used >= w.max).map((w) => ({ window: w.window, freesAt: w.freesAt.toISOString() })),
        };
      }),
    );
}
