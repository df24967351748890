import { pipelineByTag, type RedisClient } from '../shared/redis-client.ts';
import type { Logger } from '../shared/logger.ts';
import type { ReputationEvent, ReputationEvents } from '../shared/reputation-events.ts';
import { DAY_TTL_SECONDS, HOUR_TTL_SECONDS, dayKey, dayOf, hourKey, hourOf } from './reputation-buckets.ts';
import { countField, templateField } from './reputation-figures.ts';
import { providerGroupOf, sendingDomainOf } from './provider-group.ts';

export interface ReputationCountersDeps {
  redis: RedisClient;
  prefix: string;
  /** The stream's MAIL_FROM, for a message without a From of its own; undefined for a stream that does not exist. */
  mailFromOf(stream: string): string | undefined;
  logger: Logger;
  /** How long counts gather in memory before one pipeline writes them (the send path never waits for it). */
  flushAfterMs?: number;
  /** Told after each written flush which streams got feedback in it: the guard evaluates them (stream-guard.ts). */
  onFeedbackFlushed?(streams: ReadonlySet<string>): void;
  now?: () => number;
}

/**
 * The reputation counters (docs/rules.md §13): every send, bounce and complaint of a stream, by
 * sending domain × recipient provider group and by template, in the stream's hour and day buckets
 * (reputation-buckets.ts). Counting costs a few map updates; one pipeline of HINCRBYs writes what
 * gathered at most every `flushAfterMs` — never a read, never a wait on the send path. A flush that
 * fails keeps its counts for the next one (a count may then be written twice, never lost).
 */
export class ReputationCounters implements ReputationEvents {
  /** key → field → increment */
  private pending = new Map<string, Map<string, number>>();
  private feedbackStreams = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: ReputationCountersDeps) {}

  count(event: ReputationEvent): void {
    if (event.stream === undefined) return;
    const from = event.from ?? this.deps.mailFromOf(event.stream);
    if (from === undefined) return; // a stream that is no longer configured: nothing to judge
    const now = (this.deps.now ?? Date.now)();
    const fields = [countField(event.kind, sendingDomainOf(from), providerGroupOf(event.to))];
    if (event.kind === 'send' || event.kind === 'complaint') fields.push(templateField(event.kind, event.template, event.subscriptionType));
    for (const key of [hourKey(this.deps.prefix, event.stream, hourOf(now)), dayKey(this.deps.prefix, event.stream, dayOf(now))]) {
      const row = this.pending.get(key) ?? new Map<string, number>();
      for (const field of fields) row.set(field, (row.get(field) ?? 0) + 1);
      this.pending.set(key, row);
    }
    if (event.kind !== 'send') this.feedbackStreams.add(event.stream);
    this.schedule();
  }

  /** Writes what gathered now (close, and the guard before it reads). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    const feedback = this.feedbackStreams;
    this.pending = new Map();
    this.feedbackStreams = new Set();
    this.flushing = this.write(batch, feedback).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** The last write; what it cannot write then is lost (and logged), not retried by a process that is going. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), this.deps.flushAfterMs ?? 250);
    this.timer.unref();
  }

  private async write(batch: Map<string, Map<string, number>>, feedback: Set<string>): Promise<void> {
    // One pipeline per stream on a cluster (its keys share the `{<stream>}` tag), one in all on one
    // server. What a failed pipeline held waits for the next flush; what the others wrote is not written again.
    const { failedKeys, error } = await pipelineByTag(this.deps.redis, batch.keys(), (pipeline, key) => {
      for (const [field, n] of batch.get(key) ?? []) pipeline.hincrby(key, field, n);
      pipeline.expire(key, key.includes(':h:') ? HOUR_TTL_SECONDS : DAY_TTL_SECONDS);
    });
    if (error) {
      this.deps.logger.warn({ event: 'reputation.flush_failed', keys: failedKeys.length, err: error.message });
      this.merge(new Map(failedKeys.map((key) => [key, batch.get(key) ?? new Map<string, number>()])), feedback);
      this.schedule();
      return;
    }
    if (feedback.size > 0) this.deps.onFeedbackFlushed?.(feedback);
  }

  private merge(batch: Map<string, Map<string, number>>, feedback: Set<string>): void {
    for (const [key, fields] of batch) {
      const row = this.pending.get(key) ?? new Map<string, number>();
      for (const [field, n] of fields) row.set(field, (row.get(field) ?? 0) + n);
      this.pending.set(key, row);
    }
    for (const stream of feedback) this.feedbackStreams.add(stream);
  }
}
