import { DelayedError, type Processor, type Worker } from 'bullmq';
import type { Logger } from '../shared/logger.ts';
import type { DeliverWebhook } from './deliver-webhook.ts';
import { WEBHOOK_OUTBOX_JOB, WEBHOOK_SWEEP_JOB, type WebhookJobData, type WebhookJobs } from './webhook-jobs.ts';
import type { WebhookLanes } from './webhook-lanes.ts';
import type { OutboxSweep } from './webhook-outbox.ts';
import type { WebhookRepository } from './webhook-repository.ts';

/**
 * The BullMQ side of a delivery: a step that must wait (behind its lane's head, or for its next
 * attempt) moves the job to delayed and tells BullMQ so with DelayedError, so the schedule is the
 * delivery's own and the worker slot is free meanwhile. The sweeps' jobs run on the same queue.
 */
export function webhookJobProcessor(deps: { deliver: DeliverWebhook; sweep: WebhookSweep; outbox: OutboxSweep }): Processor<WebhookJobData> {
  return async (job, token) => {
    if (job.name === WEBHOOK_SWEEP_JOB) {
      await deps.sweep.run();
      return;
    }
    if (job.name === WEBHOOK_OUTBOX_JOB) {
      await deps.outbox.run();
      return;
    }
    const step = await deps.deliver.run(job.data.deliveryId);
    if (step.kind === 'wait') {
      await job.moveToDelayed(step.until, token);
      throw new DelayedError();
    }
  };
}

export function watchWebhookWorker(worker: Worker<WebhookJobData>, logger: Logger): void {
  worker.on('error', (err) => logger.error({ event: 'webhooks.worker_error', err: err.message }));
  worker.on('failed', (job, err) => {
    if (job) logger.warn({ event: 'webhooks.job_failed', attempt: job.attemptsMade, err: err.message });
  });
}

/**
 * Durability: a delivery stored in MongoDB whose job was lost (Redis restarted or flushed, the job
 * add failed after the insert) is still `pending` past its due time. The sweep puts it back in its
 * lane and adds its job again; a job that still exists makes the add a no-op.
 */
export class WebhookSweep {
  constructor(private readonly deps: { repository: WebhookRepository; lanes: WebhookLanes; jobs: WebhookJobs; logger: Logger; graceMs: number }) {}

  async run(now = Date.now()): Promise<number> {
    const overdue = await this.deps.repository.findOverdue(new Date(now - this.deps.graceMs), 500);
    for (const d of overdue) await this.deps.lanes.add(d);
    await this.deps.jobs.add(overdue.map((d) => d._id));
    if (overdue.length > 0) this.deps.logger.info({ event: 'webhooks.swept', count: overdue.length });
    return overdue.length;
  }
}
