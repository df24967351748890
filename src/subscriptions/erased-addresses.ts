import type { SuppressionKind } from './types.ts';

/**
 * A deliverability restriction heard about an erased address that has no state document, kept on
 * its erasure record instead (docs/rules.md §10): what a state's suppression says, minus anything that
 * could name the person — no address, no diagnostic text (a bounce's diagnostic often quotes the
 * address), only the provider's event id with the address taken out.
 */
export interface ErasureSuppression {
  kind: SuppressionKind;
  at: Date;
  source: 'bounce' | 'complaint';
  provider?: string;
  eventId?: string;
  /** The RFC 3463 status, e.g. "5.1.1". */
  statusCode?: string;
}

/** One address's erasure record, as the subscriptions domain sees it. */
export interface Erasure {
  /** The record's key (a keyed MAC of the address: privacy/erasure-keys.ts); what feedback about it is filed under. */
  key: string;
  erasedAt: Date;
  suppression?: ErasureSuppression;
}

/**
 * Which addresses were erased (docs/rules.md §10). The privacy domain keeps the records (keyed by a
 * MAC of the address, never the address itself) and implements this; the subscriptions domain
 * only asks, so it never imports the privacy domain.
 */
export interface ErasedAddresses {
  /**
   * The erasure records of those of these addresses that were erased, one lookup for the batch.
   * Throws when it cannot tell: a caller must never read "not erased" from an error.
   */
  erasureOf(addresses: string[]): Promise<Map<string, Erasure>>;
  /**
   * Sets the suppression of the record with this key if it has none or one of the `replaceable`
   * kinds (suppress-address.ts decides which), in one conditional write. False when the record
   * is gone or already holds one at least as strong.
   */
  suppress(key: string, suppression: ErasureSuppression, replaceable: readonly SuppressionKind[]): Promise<boolean>;
  /** Forgets the erasure of an address (the person's own confirmed re-subscribe: a fresh start). */
  lift(address: string): Promise<void>;
}

/** For a store built without erasure records (unit-level tests, the bench): nothing is erased. */
export const NO_ERASED_ADDRESSES: ErasedAddresses = {
  erasureOf: async () => new Map(),
  suppress: async () => false,
  lift: async () => undefined,
};
