import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Queue } from 'bullmq';

/** Prometheus metrics of the send pipeline, registered on the app's own registry. */
export interface MessageMetrics {
  enqueued: Counter<'kind'>;
  /** Final outcomes: outcome ∈ sent|suppressed|failed, reason '' for sent. */
  outcomes: Counter<'kind' | 'outcome' | 'reason'>;
  /** Time spent handing one message to the SMTP server. */
  sendSeconds: Histogram<'kind'>;
}

/** `queues`: each stream's send queue, by stream name (their depths are read at scrape time). */
export function createMessageMetrics(registry: Registry, queues: ReadonlyMap<string, Queue>): MessageMetrics {
  const enqueued = new Counter({
    name: 'mailgate_messages_enqueued_total',
    help: 'Messages accepted for sending, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'mailgate_messages_total',
    help: 'Messages by kind and final outcome (sent, suppressed, failed) and reason',
    labelNames: ['kind', 'outcome', 'reason'] as const,
    registers: [registry],
  });
  const sendSeconds = new Histogram({
    name: 'mailgate_send_duration_seconds',
    help: 'Time for the SMTP server to accept one message',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'mailgate_send_queue_jobs',
    help: 'Jobs on each stream\'s send queue by state',
    labelNames: ['stream', 'state'] as const,
    registers: [registry],
    async collect() {
      await Promise.all(
        [...queues].map(async ([stream, queue]) => {
          try {
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
            for (const [state, count] of Object.entries(counts)) this.set({ stream, state }, count);
          } catch {
            // Redis away: keep the last values rather than failing the whole scrape.
          }
        }),
      );
    },
  });
  return { enqueued, outcomes, sendSeconds };
}
