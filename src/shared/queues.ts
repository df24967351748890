/** Queue names; the BullMQ key prefix (QUEUE_PREFIX) keeps deployments and test runs apart. */
export const SEND_QUEUE = 'send';
export const IMPORT_QUEUE = 'import';
export const FEEDBACK_QUEUE = 'feedback';
/** The reconciler's repeatable job (messages/reconcile-messages.ts); served by workers of the send queue. */
export const RECONCILE_QUEUE = 'reconcile';
/** Hourly housekeeping (retention: composition/maintenance.ts); served by workers of the send queue. */
export const MAINTENANCE_QUEUE = 'maintenance';
/** Deliveries of webhooks to the application (webhooks/); never on the send path. */
export const WEBHOOK_QUEUE = 'webhooks';
