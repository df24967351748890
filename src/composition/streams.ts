import type { Queue } from 'bullmq';
import type { RedisClient } from '../shared/redis-client.ts';
import type { Config, StreamConfig } from '../config.ts';
import type { StreamActivity } from '../console/index.ts';
import { FailoverTransport, RedisRelayState, StreamPace, createNodemailerTransport, queueLimiterOf, relayOf, type MailTransport, type RelayMetrics, type RelayState } from '../delivery/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { MessageTags } from '../shared/message-tag.ts';

/** What failover needs fleet-wide: the relay state every process and the console read, and its counters. */
export interface FailoverParts {
  state: RelayState;
  metrics: RelayMetrics;
}

/**
 * THE place a stream's relay is built, from its primary SMTP URL and, when set, its fallback
 * (STREAM_<NAME>_SMTP_FALLBACK_URL): then the two behind a FailoverTransport
 * (delivery/failover-transport.ts), which sends through the secondary while the primary is
 * unreachable. Everything else (pace, sender, worker) takes whatever this returns.
 */
export function streamTransport(stream: StreamConfig, deps: { config: Config; logger: Logger; tags: MessageTags; failover: FailoverParts }): MailTransport {
  const relay = (smtpUrl: string | undefined) =>
    createNodemailerTransport({ env: deps.config.env, emlDir: deps.config.emlDir, smtpUrl, smtpPoolSize: stream.smtpPoolSize, dkim: stream.dkim, mailFrom: stream.mailFrom, bounceDomain: stream.bounceDomain }, deps.logger, deps.tags);
  const primary = relay(stream.smtpUrl);
  if (stream.smtpFallbackUrl === undefined) return primary;
  return new FailoverTransport({
    stream: stream.name,
    primary,
    secondary: relay(stream.smtpFallbackUrl),
    probe: () => primary.verify(),
    state: deps.failover.state,
    metrics: deps.failover.metrics,
    logger: deps.logger,
    failAfter: stream.failover.after,
    coolOffMs: stream.failover.coolOffMs,
  });
}

/** A stream's pace in Redis (delivery/stream-pace.ts): its counted windows and the relay's back-off. */
export function streamPace(stream: StreamConfig, deps: { config: Config; redis: RedisClient }): StreamPace {
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
export function streamStatuses(deps: { config: Config; redis: RedisClient; queues: ReadonlyMap<string, Queue> }): () => Promise<StreamActivity[]> {
  const paces = new Map(deps.config.streams.map((s) => [s.name, streamPace(s, deps)]));
  const relays = new RedisRelayState({ redis: deps.redis, prefix: deps.config.queuePrefix });
  return () =>
    Promise.all(
      deps.config.streams.map(async (stream): Promise<StreamActivity> => {
        const [queue, pace, failedOverUntil] = await Promise.all([
          deps.queues.get(stream.name)!.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
          paces.get(stream.name)!.status(),
          stream.smtpFallbackUrl === undefined ? undefined : relays.failedOverUntil(stream.name),
        ]);
        const failedOver = failedOverUntil !== undefined && stream.smtpFallbackUrl !== undefined;
        return {
          name: stream.name,
          // The relay sending now: the fallback while the stream is failed over (delivery/failover-transport.ts).
          relay: failedOver ? relayOf(stream.smtpFallbackUrl!) : stream.smtpUrl === undefined ? 'eml' : relayOf(stream.smtpUrl),
          failedOver,
          queue,
          limits: stream.rate,
          throttledUntil: pace.throttled?.until.toISOString(),
          full: pace.windows.filter((w) => w.used >= w.max).map((w) => ({ window: w.window, freesAt: w.freesAt.toISOString() })),
        };
      }),
    );
}
