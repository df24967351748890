/** One address's erasure record, as the subscriptions domain sees it. */
export interface Erasure {
  /** The record's key (a keyed MAC of the address: privacy/erasure-keys.ts). */
  key: string;
  erasedAt: Date;
}

/**
 * Which addresses were erased (PRODUCT.md §10). The privacy domain keeps the records (keyed by a
 * MAC of the address, never the address itself) and implements this; the subscriptions domain
 * only asks, so it never imports the privacy domain.
 */
export interface ErasedAddresses {
  /**
   * The erasure records of those of these addresses that were erased, one lookup for the batch.
   * Throws when it cannot tell: a caller must never read "not erased" from an error.
   */
  erasureOf(addresses: string[]): Promise<Map<string, Erasure>>;
  /** Forgets the erasure of an address (the person's own confirmed re-subscribe: a fresh start). */
  lift(address: string): Promise<void>;
}

/** For a store built without erasure records (unit-level tests, the bench): nothing is erased. */
export const NO_ERASED_ADDRESSES: ErasedAddresses = {
  erasureOf: async () => new Map(),
  lift: async () => undefined,
};
