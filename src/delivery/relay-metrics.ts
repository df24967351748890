import { Counter, Gauge, type Registry } from 'prom-client';

/** Prometheus metrics of relay failover; one per registry, shared by every stream's FailoverTransport. */
export interface RelayMetrics {
  /** Switches made by this process, by stream and the relay switched to. */
  failovers: Counter<'stream' | 'to'>;
  /** Makes `mailgate_relay_failed_over{stream}` read the stream's shared state at every scrape. */
  watch(stream: string, failedOver: () => Promise<boolean>): void;
}

export function createRelayMetrics(registry: Registry): RelayMetrics {
  const watched = new Map<string, () => Promise<boolean>>();
  const failovers = new Counter({
    name: 'mailgate_relay_failovers_total',
    help: 'Relay switches made by this process, by stream and the relay switched to (secondary: failover, primary: restored)',
    labelNames: ['stream', 'to'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'mailgate_relay_failed_over',
    help: 'Whether the stream sends through its secondary relay (1) or its primary (0), as every process sees it',
    labelNames: ['stream'] as const,
    registers: [registry],
    // Read from the shared state rather than set by the process that switched, so that every
    // process reports the same value, including one that never sent through the stream.
    async collect() {
      for (const [stream, failedOver] of watched) {
        try {
          this.set({ stream }, (await failedOver()) ? 1 : 0);
        } catch {
          // Redis away: keep the last value rather than failing the whole scrape.
        }
      }
    },
  });
  return { failovers, watch: (stream, failedOver) => void watched.set(stream, failedOver) };
}
