import type { AddressState, ChangeContext, StateChange } from './types.ts';

/** Optional extras for apply(); leaving them out keeps the original behaviour. */
export interface ApplyOptions {
  /**
   * Runs against the state the change is about to be applied to (again on every retry after a
   * concurrent write) and may throw to refuse it, e.g. the legal-basis rule. Nothing is written then.
   */
  guard?: (current: AddressState) => void;
  /** Recorded on the consent event of a bulk import row. */
  importJobId?: string;
}

/**
 * Subscription state by normalized address, and its consent events. Implemented on MongoDB in
 * mongo-subscription-store.ts. Callers pass normalized addresses only.
 */
export interface SubscriptionStore {
  /** A never-seen address reads as emptyState(address). */
  get(address: string): Promise<AddressState>;
  /** One round trip for many addresses (used by the worker to batch send-time checks). */
  getMany(addresses: string[]): Promise<Map<string, AddressState>>;
  /**
   * Applies a change and appends its consent event; returns the new state. Enforces nothing about
   * legal basis: callers (operator API, import) apply that rule before calling.
   */
  apply(address: string, change: StateChange, context: ChangeContext, options?: ApplyOptions): Promise<{ state: AddressState; changed: boolean }>;
}
