import type { AddressState, ChangeContext, StateChange } from './types.ts';

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
  apply(address: string, change: StateChange, context: ChangeContext): Promise<{ state: AddressState; changed: boolean }>;
}
