/**
 * Which addresses were erased (PRODUCT.md §10). The privacy domain keeps the records (keyed by an
 * HMAC of the address, never the address itself) and implements this; the subscriptions domain
 * only asks, so it never imports the privacy domain.
 */
export interface ErasedAddresses {
  /** Which of these addresses are erased. Throws when it cannot tell: a caller must never read "not erased" from an error. */
  erasedAmong(addresses: string[]): Promise<Set<string>>;
  /** Forgets the erasure of an address (the person's own confirmed re-subscribe: a fresh start). */
  lift(address: string): Promise<void>;
}

/** For a store built without erasure records (unit-level tests, the bench): nothing is erased. */
export const NO_ERASED_ADDRESSES: ErasedAddresses = {
  erasedAmong: async () => new Set(),
  lift: async () => undefined,
};
