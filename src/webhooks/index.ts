// The webhooks domain (docs/rules.md §9): endpoints the application registers, the sink where other
// domains' events become stored deliveries, and the delivery worker (signed, retried, in order per
// address). Built by the composition root (src/composition/webhooks.ts).
export { WebhookRepository, type FailedAttempt, type Unannounced } from './webhook-repository.ts';
export { OutboxSweep } from './webhook-outbox.ts';
export { WebhookSink, deliveryIdOf } from './webhook-sink.ts';
export { WebhookLanes } from './webhook-lanes.ts';
export { WebhookJobs, WEBHOOK_SWEEP_JOB, WEBHOOK_OUTBOX_JOB, type WebhookJobData, type WebhookQueue } from './webhook-jobs.ts';
export { DeliverWebhook, type DeliveryStep } from './deliver-webhook.ts';
export { WebhookSweep, webhookJobProcessor, watchWebhookWorker } from './webhook-worker.ts';
export { WebhookAdmin } from './webhook-admin.ts';
export { endpointViewSchema, createdEndpointSchema, deliveryViewSchema, type DeliveryView, type EndpointView } from './webhook-views.ts';
export { webhookApiDoc } from './webhook-api-doc.ts';
export { webhookRoutes } from './webhook-routes.ts';
export { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.ts';
export { postWebhook, type PostResult } from './webhook-http.ts';
export { checkWebhookUrl, isPrivateAddress } from './webhook-target.ts';
