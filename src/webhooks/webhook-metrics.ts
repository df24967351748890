import { Counter, type Registry } from 'prom-client';

export const WEBHOOK_OUTCOMES = ['delivered', 'retry', 'failed', 'endpoint_gone'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface WebhookMetrics {
  /** One per attempt's end: delivered, retry (a failed attempt with another to come), failed (the last), endpoint_gone. */
  deliveries: Counter<'outcome'>;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  return {
    deliveries: new Counter({
      name: 'mailgate_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retry, failed, endpoint_gone)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}
