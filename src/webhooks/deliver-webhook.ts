import { Webhook } from 'standardwebhooks';
import type { Logger } from '../shared/logger.ts';
import type { WebhookDeliveryDoc } from './webhook-delivery.model.ts';
import type { PostOptions, PostResult } from './webhook-http.ts';
import type { WebhookJobs } from './webhook-jobs.ts';
import type { WebhookLanes } from './webhook-lanes.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';
import type { WebhookRepository } from './webhook-repository.ts';

export interface DeliverWebhookDeps {
  repository: WebhookRepository;
  lanes: WebhookLanes;
  jobs: WebhookJobs;
  metrics: WebhookMetrics;
  logger: Logger;
  /** The waits before the 2nd, 3rd, … attempt. */
  retryScheduleMs: number[];
  post(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult>;
  postOptions: PostOptions;
}

/** What the job does next: nothing (finished or nothing to do), or run again at `until` (epoch ms). */
export type DeliveryStep = { kind: 'done' } | { kind: 'wait'; until: number };

// A delivery waiting behind the head of its lane is woken when the head finishes (jobs.promote);
// the wait is only the fallback if that wake-up is missed, bounded to stay short.
const MIN_WAIT_MS = 250;
const MAX_WAIT_MS = 60_000;
const MAX_LANE_STEPS = 20;

const statusOf = (r: PostResult): number | undefined => ('status' in r ? r.status : undefined);

/**
 * One step of one delivery (docs/rules.md §9): only the head of its (endpoint, address) lane is
 * attempted; the endpoint is re-read first (deleted or disabled: the delivery fails, nothing is
 * sent); a 2xx delivers; anything else schedules the next attempt from the delivery's own counter,
 * and after the last the delivery is `failed`. Either way the lane moves on and its next member is
 * woken.
 */
export class DeliverWebhook {
  constructor(private readonly deps: DeliverWebhookDeps) {}

  async run(deliveryId: string, now = Date.now()): Promise<DeliveryStep> {
    const delivery = await this.deps.repository.findDelivery(deliveryId);
    if (!delivery || delivery.status !== 'pending') {
      if (delivery) await this.leaveLane(delivery);
      return { kind: 'done' };
    }
    const blocked = await this.blockedUntil(delivery, now);
    if (blocked !== undefined) return { kind: 'wait', until: blocked };
    const due = delivery.nextAttemptAt?.getTime() ?? now;
    if (due > now + 50) return { kind: 'wait', until: due }; // woken early by a promote
    return this.attempt(delivery);
  }

  /** Undefined when `delivery` heads its lane; else when to look again. Heads that are gone or final are cleared. */
  private async blockedUntil(delivery: WebhookDeliveryDoc, now: number): Promise<number | undefined> {
    for (let step = 0; step < MAX_LANE_STEPS; step++) {
      const head = await this.deps.lanes.head(delivery);
      if (head === delivery._id) return undefined;
      if (head === undefined) {
        await this.deps.lanes.add(delivery); // the lane was lost (Redis restarted): rebuild it from MongoDB's seq
        continue;
      }
      const before = await this.deps.repository.findDelivery(head);
      if (!before || before.status !== 'pending') {
        await this.deps.lanes.remove(delivery, head);
        continue;
      }
      const next = (before.nextAttemptAt?.getTime() ?? now) + 1000;
      return Math.min(Math.max(next, now + MIN_WAIT_MS), now + MAX_WAIT_MS);
    }
    return now + MIN_WAIT_MS;
  }

  private async attempt(delivery: WebhookDeliveryDoc): Promise<DeliveryStep> {
    const { repository, metrics } = this.deps;
    const endpoint = await repository.findEndpoint(delivery.endpointId);
    const attempts = delivery.attempts + 1;
    if (!endpoint || !endpoint.enabled) {
      await repository.recordFailure(delivery._id, { attempts: delivery.attempts, error: endpoint ? 'endpoint_disabled' : 'endpoint_deleted' });
      metrics.deliveries.inc({ outcome: 'endpoint_gone' });
      await this.leaveLane(delivery);
      return { kind: 'done' };
    }
    const sentAt = new Date();
    const signature = new Webhook(endpoint.secret).sign(delivery.eventId, sentAt, delivery.body);
    const headers = { 'webhook-id': delivery.eventId, 'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'webhook-signature': signature };
    const result = await this.deps.post(endpoint.url, headers, delivery.body, this.deps.postOptions);
    const status = statusOf(result);
    if (status !== undefined && status >= 200 && status < 300) {
      await repository.markDelivered(delivery._id, attempts, status);
      metrics.deliveries.inc({ outcome: 'delivered' });
      await this.leaveLane(delivery);
      return { kind: 'done' };
    }
    const error = 'error' in result ? result.error : `http_${status}`;
    const responseCode = status === undefined ? {} : { responseCode: status };
    const wait = this.deps.retryScheduleMs[attempts - 1];
    if (wait === undefined) {
      await repository.recordFailure(delivery._id, { attempts, error, ...responseCode });
      metrics.deliveries.inc({ outcome: 'failed' });
      this.deps.logger.warn({ event: 'webhooks.delivery_failed', endpointId: endpoint._id, deliveryId: delivery._id, attempts, error });
      await this.leaveLane(delivery);
      return { kind: 'done' };
    }
    const nextAttemptAt = new Date(Date.now() + wait);
    await repository.recordFailure(delivery._id, { attempts, error, ...responseCode, nextAttemptAt });
    metrics.deliveries.inc({ outcome: 'retry' });
    this.deps.logger.info({ event: 'webhooks.delivery_retry', endpointId: endpoint._id, deliveryId: delivery._id, attempts, error, inMs: wait });
    return { kind: 'wait', until: nextAttemptAt.getTime() };
  }

  /** Out of the lane; the next delivery of the address may go now. */
  private async leaveLane(delivery: WebhookDeliveryDoc): Promise<void> {
    await this.deps.lanes.remove(delivery);
    const next = await this.deps.lanes.head(delivery);
    if (next) await this.deps.jobs.promote(next);
  }
}
