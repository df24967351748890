import { randomBytes } from 'node:crypto';
import { APP_EVENT_TYPES, type AppEventType } from '../shared/app-events.ts';
import { AppError, notFound, unprocessable } from '../shared/errors.ts';
import type { WebhookDeliveryDoc } from './webhook-delivery.model.ts';
import type { WebhookEndpointDoc } from './webhook-endpoint.model.ts';
import type { WebhookJobs } from './webhook-jobs.ts';
import type { WebhookLanes } from './webhook-lanes.ts';
import type { WebhookRepository } from './webhook-repository.ts';
import { checkWebhookUrl, type TargetRules } from './webhook-target.ts';
import type { DeliveryView, EndpointView } from './webhook-views.ts';

export interface NewEndpoint {
  url: string;
  events: string[];
  description?: string;
}

const KNOWN = new Set<string>(APP_EVENT_TYPES);

const endpointView = (e: WebhookEndpointDoc): EndpointView => ({
  id: e._id,
  url: e.url,
  events: e.events,
  ...(e.description === undefined ? {} : { description: e.description }),
  enabled: e.enabled,
  createdAt: e.createdAt.toISOString(),
});

const deliveryView = (d: WebhookDeliveryDoc): DeliveryView => ({
  id: d._id,
  eventId: d.eventId,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  ...(d.lastResponseCode === undefined ? {} : { lastResponseCode: d.lastResponseCode }),
  ...(d.lastError === undefined ? {} : { lastError: d.lastError }),
  ...(d.nextAttemptAt === undefined || d.status !== 'pending' ? {} : { nextAttemptAt: d.nextAttemptAt.toISOString() }),
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
  ...(d.deliveredAt === undefined ? {} : { deliveredAt: d.deliveredAt.toISOString() }),
});

/** The webhook endpoints API's use cases (docs/rules.md §9): the routes parse and call these. */
export class WebhookAdmin {
  constructor(
    private readonly deps: {
      repository: WebhookRepository;
      lanes: WebhookLanes;
      jobs: WebhookJobs;
      rules: TargetRules;
      /** Tells this process's sink at once that endpoints changed (others catch up on their next refresh). */
      endpointsChanged(): Promise<void>;
    },
  ) {}

  /** The secret is in this answer only; it is never shown again. */
  async create(input: NewEndpoint): Promise<EndpointView & { secret: string }> {
    const unknown = input.events.filter((e) => !KNOWN.has(e));
    if (unknown.length > 0) {
      throw unprocessable('unknown_event_type', `events: unknown event type ${unknown.join(', ')}; known: ${APP_EVENT_TYPES.join(', ')}`, { field: 'events', unknown });
    }
    const url = await checkWebhookUrl(input.url, this.deps.rules);
    const doc: WebhookEndpointDoc = {
      _id: `whe_${randomBytes(12).toString('base64url')}`,
      url: url.toString(),
      events: [...new Set(input.events)] as AppEventType[],
      ...(input.description === undefined ? {} : { description: input.description }),
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      enabled: true,
      createdAt: new Date(),
    };
    await this.deps.repository.createEndpoint(doc);
    await this.deps.endpointsChanged();
    return { ...endpointView(doc), secret: doc.secret };
  }

  async list(): Promise<EndpointView[]> {
    return (await this.deps.repository.listEndpoints()).map(endpointView);
  }

  async get(id: string): Promise<EndpointView> {
    return endpointView(await this.endpoint(id));
  }

  async remove(id: string): Promise<void> {
    if (!(await this.deps.repository.deleteEndpoint(id))) throw this.missing();
    await this.deps.endpointsChanged();
  }

  async deliveries(id: string, query: { cursor?: string; limit: number }): Promise<{ deliveries: DeliveryView[]; nextCursor?: string }> {
    await this.endpoint(id);
    const page = await this.deps.repository.pageDeliveries(id, query);
    return { deliveries: page.deliveries.map(deliveryView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** Re-sends a delivered or failed delivery, from a fresh schedule, in its original place in the lane. */
  async retry(id: string, deliveryId: string): Promise<DeliveryView> {
    await this.endpoint(id);
    const found = await this.deps.repository.findDelivery(deliveryId);
    if (!found || found.endpointId !== id) throw notFound('delivery_not_found', 'No such delivery for this webhook');
    if (found.status === 'pending') throw new AppError('delivery_pending', 'The delivery is still pending; it will be attempted on its schedule', { status: 409 });
    const reset = await this.deps.repository.resetForRetry(deliveryId);
    if (!reset) throw notFound('delivery_not_found', 'No such delivery for this webhook');
    await this.deps.lanes.add(reset);
    await this.deps.jobs.replace(deliveryId);
    return deliveryView(reset);
  }

  private async endpoint(id: string): Promise<WebhookEndpointDoc> {
    const found = await this.deps.repository.findEndpoint(id);
    if (!found) throw this.missing();
    return found;
  }

  private missing(): AppError {
    return notFound('webhook_not_found', 'No such webhook');
  }
}
