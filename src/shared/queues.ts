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

/**
 * The name BullMQ is given for queue `name`. BullMQ's keys are `<prefix>:<name>:<suffix>`, and its
 * scripts touch several keys of one queue at once, so on Redis Cluster each queue's keys must share
 * a slot: there the name is wrapped as a hash tag (`{send-marketing}`), one slot per queue, and the
 * queues spread over the masters. A prefix that is itself a tag (`{mailgate}`, config-redis.ts)
 * already puts every queue in its one slot, and a second tag would be ignored: the name stays bare.
 * On one server or a Sentinel primary names stay as they were, so nothing moves on an upgrade.
 */
export function bullQueueName(name: string, target: { redis: { kind: string }; queuePrefix: string }): string {
  return target.redis.kind === 'cluster' && !target.queuePrefix.startsWith('{') ? `{${name}}` : name;
}
