import type { Worker } from 'bullmq';
import type { Config } from '../config.ts';
import { MessageRetention } from '../messages/index.ts';
import type { Logger } from '../shared/logger.ts';
import { MAINTENANCE_QUEUE } from '../shared/queues.ts';
import { addSchedule, addWorker } from './bullmq.ts';
import type { Feedback } from './feedback.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Messages } from './messages.ts';
import type { Webhooks } from './webhooks.ts';

const RETENTION_JOB = 'retention';
const RETENTION_INTERVAL_MS = 3600_000;

export interface RetentionReport {
  messages: number;
  feedback: number;
  webhookDeliveries: number;
}

/**
 * Hourly retention (no TTL indexes: see docs/ferretdb.md), on a queue of its own served by the send
 * workers: message records, outcomes and relay feedback of final messages, raw relay feedback, and
 * finished webhook deliveries older than MESSAGE_RETENTION_DAYS go, in batches. Consent events stay.
 */
export function addMaintenance(life: Lifecycle, deps: { config: Config; logger: Logger; messages: Messages; feedback: Feedback; webhooks: Webhooks }): void {
  const { config } = deps;
  const logger = deps.logger.child({ module: 'maintenance' });
  const retention = new MessageRetention({ messages: deps.messages.repository });
  const run = async (): Promise<RetentionReport> => {
    const cutoff = new Date(Date.now() - config.messageRetentionDays * 86_400_000);
    const [{ messages }, feedback, webhookDeliveries] = await Promise.all([
      retention.run(cutoff),
      deps.feedback.repository.deleteReceivedBefore(cutoff),
      deps.webhooks.repository.deleteFinishedBefore(cutoff),
    ]);
    if (messages + feedback + webhookDeliveries > 0) logger.info({ event: 'retention.deleted', messages, feedback, webhookDeliveries });
    return { messages, feedback, webhookDeliveries };
  };
  addWorker<unknown, RetentionReport>(life, {
    config,
    logger,
    queue: MAINTENANCE_QUEUE,
    processor: (job) => (job.name === RETENTION_JOB ? run() : Promise.reject(new Error(`unknown maintenance job ${job.name}`))),
    options: { concurrency: 1 },
    watch: (worker: Worker<unknown, RetentionReport>) => {
      worker.on('error', (err) => logger.error({ event: 'maintenance.worker_error', err: err.message }));
      worker.on('failed', (_job, err) => logger.warn({ event: 'retention.run_failed', err }));
    },
    stoppedEvent: 'maintenance.worker_stopped',
  });
  addSchedule(life, { config, logger, queue: MAINTENANCE_QUEUE, job: RETENTION_JOB, everyMs: RETENTION_INTERVAL_MS, event: 'maintenance.queue_error' });
}
