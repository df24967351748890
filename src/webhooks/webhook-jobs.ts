import type { JobsOptions, Queue } from 'bullmq';

/** A delivery job: only the delivery's id (the job id too, so one delivery has at most one job). */
export interface WebhookJobData {
  deliveryId: string;
}

/** The sweep's repeatable job on the same queue (deliveries whose job was lost). */
export const WEBHOOK_SWEEP_JOB = 'sweep';
export const WEBHOOK_DELIVER_JOB = 'deliver';
/** The outbox sweep's repeatable job (webhook-outbox.ts): events a change stored but never announced. */
export const WEBHOOK_OUTBOX_JOB = 'outbox';

export type WebhookQueue = Queue<WebhookJobData>;

// The retry schedule is the delivery's own (attempts in MongoDB); BullMQ's attempts only cover a
// processor that could not run at all (database away). Finished jobs are removed so a re-send can
// add a job under the same id again.
const options = (jobId: string): JobsOptions => ({
  jobId,
  attempts: 20,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: true,
  removeOnFail: true,
});

/** Adding, waking and replacing delivery jobs. */
export class WebhookJobs {
  constructor(private readonly deps: { queue: WebhookQueue }) {}

  /** Adds the job unless one with this id exists already (BullMQ ignores a duplicate job id). */
  async add(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.deps.queue.addBulk(deliveryIds.map((deliveryId) => ({ name: WEBHOOK_DELIVER_JOB, data: { deliveryId }, opts: options(deliveryId) })));
  }

  /** Wakes a job that waits behind an earlier delivery of its lane; nothing if it is not delayed. */
  async promote(deliveryId: string): Promise<void> {
    const job = await this.deps.queue.getJob(deliveryId);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined); // it may have just woken itself
  }

  /** A re-send: the old job (if any is left) goes, a new one comes. */
  async replace(deliveryId: string): Promise<void> {
    await this.deps.queue.remove(deliveryId).catch(() => undefined); // an active job cannot be removed: it finishes first
    await this.add([deliveryId]);
  }
}
