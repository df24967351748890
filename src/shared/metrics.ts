import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance (tests build several apps in one process). */
export function createMetricsRegistry(withDefaults: boolean): Registry {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'mailgate_' });
  return registry;
}
