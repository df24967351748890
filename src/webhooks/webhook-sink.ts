import { createHash } from 'node:crypto';
import type { AppEvent, AppEventSink, AppEventType, OutboxRef, StoredAppEvent } from '../shared/app-events.ts';
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
export const bodyOf = (event: StoredAppEvent): string => JSON.stringify({ type: event.type, timestamp: event.at.toISOString(), data: { address: event.address, ...event.data } });

/**
 * Where domains hand their events: for each enabled endpoint subscribed to the type, one delivery
 * stored in MongoDB (pending), put in its address's lane, and one job. Endpoints are cached in
 * memory, so an event no endpoint wants costs no I/O (the send path emits on every message); the
 * composition root refreshes the cache every few seconds, routes at once after a change, and the
 * worker re-reads the endpoint before every attempt, so a deleted one gets nothing more. The
 * documents that carried the events as their outbox mark (docs/architecture.md "Outbox") are
 * cleared here, once the deliveries are stored.
 */
export class WebhookSink implements AppEventSink {
  private byType = new Map<AppEventType, WebhookEndpointDoc[]>();
  private lastSeq = 0;
  /** Deliveries waiting for the write in flight to finish: they go together in the next (group commit). */
  private waiting: { docs: WebhookDeliveryDoc[]; marks: readonly OutboxRef[]; done: (stored: boolean) => void }[] = [];
  private writing = false;

  constructor(private readonly deps: WebhookSinkDeps) {}

  async refresh(): Promise<void> {
    const next = new Map<AppEventType, WebhookEndpointDoc[]>();
    for (const endpoint of await this.deps.repository.enabledEndpoints()) {
      for (const type of endpoint.events) next.set(type, [...(next.get(type) ?? []), endpoint]);
    }
    this.byType = next;
  }

  wants(type: AppEventType): boolean {
    return this.byType.has(type);
  }

  /** Never throws: the change an event tells of is stored already; a failure is logged, and the marks in `marks` stay for the outbox sweep. */
  async emit(events: readonly AppEvent[], marks: readonly OutboxRef[] = []): Promise<void> {
    await this.announce(events, marks);
  }

  /**
   * Stores a delivery of each event for each endpoint that wants it, then clears the outbox marks
   * of the documents that carried them. True when the deliveries are stored (the marks may still
   * stand if clearing failed: the sweep then announces again, and the delivery ids make that a no-op).
   */
  async announce(events: readonly StoredAppEvent[], marks: readonly OutboxRef[] = []): Promise<boolean> {
    const wanted = events.filter((e) => this.byType.has(e.type));
    if (wanted.length === 0 && marks.length === 0) return true;
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
    // Every send worker job emits: concurrent emits share one insertMany, one bulkWrite of marks, one pipeline and one addBulk.
    return new Promise<boolean>((done) => {
      this.waiting.push({ docs, marks, done });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      const docs = batch.flatMap((b) => b.docs);
      let stored = false;
      try {
        const fresh = await this.deps.repository.insertDeliveries(docs);
        stored = true;
        await this.clearMarks(batch.flatMap((b) => b.marks));
        await this.deps.lanes.addMany(fresh);
        await this.deps.jobs.add(fresh.map((d) => d._id));
      } catch (err) {
        // Stored deliveries whose lane or job is missing are found by the delivery sweep; events
        // whose insert failed keep their outbox mark, and the outbox sweep announces them.
        if (stored) this.deps.logger.warn({ event: 'webhooks.enqueue_failed', count: docs.length, err }, 'webhook deliveries stored, their jobs not yet');
        else this.deps.logger.error({ event: 'webhooks.emit_failed', count: docs.length, types: [...new Set(docs.map((d) => d.type))], err }, 'webhook events could not be stored');
      }
      for (const b of batch) b.done(stored);
    }
    this.writing = false;
  }

  /** A failed clear only means the sweep announces those events again (a no-op by their delivery ids). */
  private async clearMarks(marks: OutboxRef[]): Promise<void> {
    if (marks.length === 0) return;
    await this.deps.repository.clearOutbox(marks).catch((err: unknown) => this.deps.logger.warn({ event: 'webhooks.outbox_clear_failed', count: marks.length, err }));
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
