import { Gauge, type Registry } from 'prom-client';

/** The guard's gauges, per stream: set by the pause and resume use cases and by every gate refresh (fleet-wide truth). */
export interface ReputationMetrics {
  /** 1 while the stream's marketing is paused. */
  paused: Gauge<'stream'>;
  /** 0 ok, 1 warn, 2 paused. */
  state: Gauge<'stream'>;
}

export const GUARD_STATE_VALUE = { ok: 0, warn: 1, paused: 2 } as const;

export function createReputationMetrics(registry: Registry): ReputationMetrics {
  return {
    paused: new Gauge({ name: 'mailgate_stream_paused', help: "1 while a stream's marketing is paused by the reputation guard or an operator", labelNames: ['stream'] as const, registers: [registry] }),
    state: new Gauge({ name: 'mailgate_stream_guard_state', help: 'The reputation guard of a stream: 0 ok, 1 warn, 2 paused', labelNames: ['stream'] as const, registers: [registry] }),
  };
}

export function showState(metrics: ReputationMetrics, stream: string, state: keyof typeof GUARD_STATE_VALUE): void {
  metrics.paused.set({ stream }, state === 'paused' ? 1 : 0);
  metrics.state.set({ stream }, GUARD_STATE_VALUE[state]);
}
