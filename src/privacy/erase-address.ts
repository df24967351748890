import type { FeedbackRepository } from '../feedback/index.ts';
import type { MessageRepository } from '../messages/index.ts';
import { NO_EVENTS, appEventId, type AppEventSink, type StateSnapshot } from '../shared/app-events.ts';
import { notFound } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { stateSnapshot, type ErasureSuppression, type MongoSubscriptionStore, type Suppression } from '../subscriptions/index.ts';
import type { ErasedAddressRepository } from './erased-address-repository.ts';

/** Messages are deleted this many at a time (each page is one `$in` per collection). */
const PAGE = 500;

export interface EraseDeps {
  store: Pick<MongoSubscriptionStore, 'get' | 'eraser' | 'erasures'>;
  messages: Pick<MessageRepository, 'idsFor' | 'deleteFinal'>;
  feedback: Pick<FeedbackRepository, 'deleteForAddress' | 'holdsAddress'>;
  erased: Pick<ErasedAddressRepository, 'record'>;
  logger: Logger;
  /** Where the `subscription.changed` of the erasure goes (the webhooks sink, wired by the composition root). */
  events?: AppEventSink;
  /**
   * HOOK for other domains that hold the address (webhook deliveries: wired at merge). Each deletes
   * what it holds about the address and returns how many documents went. Run after messages and
   * feedback, before the state goes; a failure fails the erasure, and a retried DELETE runs it again.
   */
  alsoErase?: Array<(address: string) => Promise<number>>;
}

export interface ErasureReceipt {
  erasedAt: Date;
}

export const ERASED_SNAPSHOT: StateSnapshot = { optedOutOfAll: false, subscriptions: {}, suppression: null, erased: true };

/** What of a state's suppression the erasure record keeps: kind, time, source — not its detail (a diagnostic often quotes the address). */
const keptSuppression = (s: Suppression): ErasureSuppression => ({ kind: s.kind, at: s.at, source: s.kind === 'complaint' ? 'complaint' : 'bounce' });

/**
 * The person's erasure (docs/rules.md §10, GDPR Art. 17): everything held about the address goes —
 * its messages with their outcomes and relay feedback, raw feedback, consent events, journal
 * mentions, its state — and one erasure record stays (erased-address.model.ts), so the address is
 * never taken for a new one; a suppression the state held stays on it too (a hard-bounced mailbox
 * is not mailed again for being forgotten). Without transactions the order carries the safety: the record first,
 * then the state is marked erased (it reads as erased from here on, whatever crashes later), the
 * state document last. A retried DELETE finishes a crashed one; one with nothing left to delete is
 * 404, whether the address was never seen or is erased already.
 * Not isolated from writes racing it: a message enqueued, or a consent event written, while it runs
 * may outlive it (the address still reads erased: consent-writer marks a state made meanwhile);
 * the next DELETE finds it and erases it.
 */
export async function eraseAddress(deps: EraseDeps, address: string, now = new Date()): Promise<ErasureReceipt> {
  const before = await deps.store.get(address);
  const messageIds = await deps.messages.idsFor(address);
  const holds = messageIds.length > 0 || (await deps.store.eraser.holds(address)) || (await deps.feedback.holdsAddress(address));
  if (!holds) throw notFound('address_not_found', 'Nothing is held about this address');

  const record = await deps.erased.record(address, now);
  if (before.suppression) await deps.store.erasures.suppress(record.key, keptSuppression(before.suppression));
  await deps.store.eraser.mark(address);
  for (let i = 0; i < messageIds.length; i += PAGE) await deps.messages.deleteFinal(messageIds.slice(i, i + PAGE));
  const feedback = await deps.feedback.deleteForAddress(address, messageIds, record.key);
  let other = 0;
  for (const erase of deps.alsoErase ?? []) other += await erase(address);
  const subscriptions = await deps.store.eraser.erase(address);

  // Stable id: a retried erasure finds the same record (its key and first time), so the same event.
  await (deps.events ?? NO_EVENTS).emit([
    {
      id: appEventId('erasure', record.key, String(record.erasedAt.getTime())),
      type: 'subscription.changed',
      address,
      at: record.erasedAt,
      data: { before: stateSnapshot(before, { erasure: true }), after: ERASED_SNAPSHOT, source: 'erasure' },
    },
  ]);
  // Counts only: the log never names the address.
  deps.logger.info({ event: 'privacy.erased', messages: messageIds.length, feedback, subscriptions, other }, 'address erased');
  return { erasedAt: record.erasedAt };
}
