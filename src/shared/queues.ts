/** Queue names; the BullMQ key prefix (QUEUE_PREFIX) keeps deployments and test runs apart. */
/** One send queue per stream (config-streams.ts): `send-transactional`, `send-marketing`, … */
export const sendQueueName = (stream: string): string => `send-${stream}`;
/**
 * The single send queue of versions before streams (#22). Nothing adds to it any more; send workers
 * move what an upgrade left on it to its message's stream queue (messages/legacy-send-jobs.ts).
 */
export const LEGACY_SEND_QUEUE = 'send';
export const IMPORT_QUEUE = 'import';
export const FEEDBACK_QUEUE = 'feedback';
/** The reconciler's repeatable job (messages/reconcile-messages.ts); served by workers of the send queue. */
export const RECONCILE_QUEUE = 'reconcile';
/** Hourly housekeeping (retention: composition/maintenance.ts); served by workers of the send queue. */
export const MAINTENANCE_QUEUE = 'maintenance';
/** Deliveries of webhooks to the application (webhooks/); never on the send path. */
export const WEBHOOK_QUEUE = 'webhooks';
