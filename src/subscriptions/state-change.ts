import type { AddressState, StateChange, Suppression, TypeState } from './types.ts';

/** The state of one type; a type never set (or an inherited key like `constructor`) is `not_specified`. */
export const typeStateOf = (subscriptions: Record<string, TypeState>, type: string): TypeState =>
  Object.hasOwn(subscriptions, type) ? (subscriptions[type] ?? 'not_specified') : 'not_specified';

/** The fields one change touched, as they were (before) or became (after). */
export interface StateDiff {
  optedOutOfAll?: boolean;
  subscriptions?: Record<string, TypeState>;
  /** `null`: no suppression. */
  suppression?: Suppression | null;
}

const sameSuppression = (a: Suppression | undefined, b: Suppression | null | undefined): boolean =>
  (a ?? null) === (b ?? null) ||
  (!!a && !!b && a.kind === b.kind && a.source === b.source && a.detail === b.detail && a.at.getTime() === b.at.getTime());

/**
 * What `change` does to `current`: the before → after of every field it really changes, or
 * undefined when it changes nothing (so re-applying a change is a no-op and writes no event). Pure.
 */
export function diffChange(current: AddressState, change: StateChange): { before: StateDiff; after: StateDiff } | undefined {
  const before: StateDiff = {};
  const after: StateDiff = {};
  if (change.optedOutOfAll !== undefined && change.optedOutOfAll !== current.optedOutOfAll) {
    before.optedOutOfAll = current.optedOutOfAll;
    after.optedOutOfAll = change.optedOutOfAll;
  }
  for (const [type, next] of Object.entries(change.subscriptions ?? {})) {
    const was = typeStateOf(current.subscriptions, type);
    if (was === next) continue;
    (before.subscriptions ??= {})[type] = was;
    (after.subscriptions ??= {})[type] = next;
  }
  if (change.suppression !== undefined && !sameSuppression(current.suppression, change.suppression)) {
    before.suppression = current.suppression ?? null;
    after.suppression = change.suppression;
  }
  return Object.keys(after).length === 0 ? undefined : { before, after };
}

/** `current` with `after` laid over it, at the next version. Pure. */
export function applyDiff(current: AddressState, after: StateDiff, at: Date): AddressState {
  return {
    address: current.address,
    optedOutOfAll: after.optedOutOfAll ?? current.optedOutOfAll,
    subscriptions: { ...current.subscriptions, ...after.subscriptions },
    suppression: after.suppression === undefined ? current.suppression : (after.suppression ?? undefined),
    updatedAt: at,
    version: current.version + 1,
  };
}
