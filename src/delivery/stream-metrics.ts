import { Counter, type Registry } from 'prom-client';

/**
 * Per-stream counters of the send workers (every label set carries `stream`). Queue depth per
 * stream is `mailgate_send_queue_jobs{stream,state}` (messages/message-metrics.ts). A relay
 * failover is counted by `mailgate_relay_failovers_total{stream,to}` and shown by
 * `mailgate_relay_failed_over{stream}` (relay-metrics.ts).
 */
export interface StreamMetrics {
  /** Messages a relay accepted, by stream (its rate is the stream's send rate). */
  sends: Counter<'stream'>;
  /** Throttling replies from the relay (each one puts the stream on a back-off). */
  throttled: Counter<'stream'>;
  /** Sends held back because a counted window (minute, day) was full. */
  paced: Counter<'stream' | 'window'>;
  /** Marketing jobs put back to wait (delivery/message-held.ts): `guard_paused` or `frequency_capped`. */
  held: Counter<'stream' | 'reason'>;
}

export function createStreamMetrics(registry: Registry): StreamMetrics {
  return {
    sends: new Counter({ name: 'mailgate_stream_sends_total', help: 'Messages a relay accepted, by stream', labelNames: ['stream'] as const, registers: [registry] }),
    throttled: new Counter({ name: 'mailgate_stream_throttled_total', help: 'Throttling replies from the relay, by stream', labelNames: ['stream'] as const, registers: [registry] }),
    paced: new Counter({ name: 'mailgate_stream_paced_total', help: 'Sends held back by a full rate window, by stream and window', labelNames: ['stream', 'window'] as const, registers: [registry] }),
    held: new Counter({ name: 'mailgate_stream_held_total', help: 'Marketing jobs put back to wait by the reputation guard or a frequency cap, by stream and reason', labelNames: ['stream', 'reason'] as const, registers: [registry] }),
  };
}
