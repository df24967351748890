import { createHash } from 'node:crypto';
import type { AppEvent, AppEventSink, AppEventType } from '../shared/app-events.ts';
import type { Logger } from '../shared/logger.ts';
import type { WebhookDeliveryDoc } from './webhook-delivery.model.ts';
import type { WebhookEndpointDoc } from './webhook-endpoint.model.ts';
import type { WebhookJobs } from './webhook-jobs.ts';
import type { WebhookLanes } from './webhook-lanes.ts';
import type { WebhookRepository } from './webhook-repository.ts';

export interface WebhookSinkDeps {
  repository: WebhookRepository;
  lanes: WebhookLanes;
  jobs: WebhookJobs;
  logger: Logger;
}

/** A delivery's id: the same (endpoint, event) always gives the same id, so a repeated emit is harmless. */
export const deliveryIdOf = (endpointId: string, eventId: string): string =>
  `whd_${createHash('sha256').update(`${endpointId}\0${eventId}`).digest('base64url').slice(0, 27)}`;

/** Emits per write, at most (each may carry a delivery per endpoint). */
const MAX_BATCH = 100;

/** The body the receiver gets (and whose bytes are signed): `{type, timestamp, data}`, the address inside data. */
export const bodyOf = (event: AppEvent): string => JSON.stringify({ type: event.type, timestamp: event.at.toISOString(), data: { address: event.address, ...event.data } });

/**
 * Where domains hand their events: for each enabled endpoint subscribed to the type, one delivery
 * stored in MongoDB (pending), put in its address's lane, and one job. Endpoints are cached in
 * memory, so an event no endpoint wants costs no I/O (the send path emits on every message); the
 * composition root refreshes the cache every few seconds, routes at once after a change, and the
 * worker re-reads the endpoint before every attempt, so a deleted one gets nothing more.
 */
export class WebhookSink implements AppEventSink {
  private byType = new Map<AppEventType, WebhookEndpointDoc[]>();
  private lastSeq = 0;
  /** Deliveries waiting for the write in flight to finish: they go together in the next (group commit). */
  private waiting: { docs: WebhookDeliveryDoc[]; done: () => void }[] = [];
  private writing = false;

  constructor(private readonly deps: WebhookSinkDeps) {}

  async refresh(): Promise<void> {
    const next = new Map<AppEventType, WebhookEndpointDoc[]>();
    for (const endpoint of await this.deps.repository.enabledEndpoints()) {
      for (const type of endpoint.events) next.set(type, [...(next.get(type) ?? []), endpoint]);
    }
    this.byType = next;
  }

  /** Never throws: the change an event tells of is stored already; a failure here is logged (and the event lost). */
  async emit(events: readonly AppEvent[]): Promise<void> {
    const wanted = events.filter((e) => this.byType.has(e.type));
    if (wanted.length === 0) return;
    const now = new Date();
    const docs: WebhookDeliveryDoc[] = wanted.flatMap((event) =>
      (this.byType.get(event.type) ?? []).map((endpoint) => ({
        _id: deliveryIdOf(endpoint._id, event.id),
        endpointId: endpoint._id,
        eventId: event.id,
        type: event.type,
        address: event.address,
        seq: this.nextSeq(),
        body: bodyOf(event),
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    );
    // Every send worker job emits: concurrent emits share one insertMany, one pipeline and one addBulk.
    await new Promise<void>((done) => {
      this.waiting.push({ docs, done });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      const docs = batch.flatMap((b) => b.docs);
      try {
        const fresh = await this.deps.repository.insertDeliveries(docs);
        await this.deps.lanes.addMany(fresh);
        await this.deps.jobs.add(fresh.map((d) => d._id));
      } catch (err) {
        // Stored deliveries whose lane or job is missing are found by the sweep; a failed insert is lost.
        this.deps.logger.error({ event: 'webhooks.emit_failed', count: docs.length, types: [...new Set(docs.map((d) => d.type))], err }, 'webhook events could not be stored');
      }
      for (const b of batch) b.done();
    }
    this.writing = false;
  }

  /**
   * Increasing within this process (time-based, so also across restarts): one process emits an
   * address's events in the order they happened (the consent writer takes turns per address).
   */
  private nextSeq(): number {
    this.lastSeq = Math.max(this.lastSeq + 1, Date.now() * 1000);
    return this.lastSeq;
  }
}
