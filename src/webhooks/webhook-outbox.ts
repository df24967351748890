import { OUTBOX_COLLECTIONS } from '../shared/app-events.ts';
import type { Logger } from '../shared/logger.ts';
import type { WebhookRepository } from './webhook-repository.ts';
import type { WebhookSink } from './webhook-sink.ts';

/** Marked documents announced per collection and run, at most (the next run takes the rest). */
const BATCH = 500;

/**
 * The outbox sweep (docs/architecture.md "Outbox"): a change whose events are still marked
 * unannounced after the grace lost its emit — the process died between the two writes, or MongoDB
 * refused the delivery insert. The sweep announces those events again with their own ids: a delivery
 * stored already keeps its id (the insert skips it), so a receiver gets each event once, and the
 * sink clears the marks once the deliveries are stored. A failed announce leaves the marks for the
 * next run.
 */
export class OutboxSweep {
  constructor(private readonly deps: { repository: WebhookRepository; sink: Pick<WebhookSink, 'announce'>; logger: Logger; graceMs: number }) {}

  /** How many marked documents were announced. */
  async run(now = Date.now()): Promise<number> {
    const before = new Date(now - this.deps.graceMs);
    let announced = 0;
    for (const collection of OUTBOX_COLLECTIONS) {
      const marked = await this.deps.repository.findUnannounced(collection, before, BATCH);
      if (marked.length === 0) continue;
      const stored = await this.deps.sink.announce(
        marked.flatMap((m) => m.events),
        marked.map((m) => m.ref),
      );
      if (!stored) {
        this.deps.logger.warn({ event: 'webhooks.outbox_sweep_failed', collection, count: marked.length });
        continue;
      }
      announced += marked.length;
      this.deps.logger.info({ event: 'webhooks.outbox_swept', collection, count: marked.length });
    }
    return announced;
  }
}
