import { AppError } from '../shared/errors.ts';
import type { SubscriptionStore } from './subscription-store.ts';
import { SUPPRESSION_KINDS, type AddressState, type ChangeContext, type Suppression, type SuppressionKind } from './types.ts';

/**
 * How much a suppression blocks (docs/feedback.md): a weaker one never replaces a stronger one. The
 * one rule for every place a suppression is set: an address's state (suppressAddress below, for
 * relay feedback and the worker's own SMTP refusals) and an erasure record (erasure-restrictions.ts).
 * Lifting one is lift-suppression.ts.
 */
const STRENGTH: Record<SuppressionKind, number> = { soft_bounce: 1, complaint: 2, hard_bounce: 3 };

/** Whether a suppression of kind `current` stays when one of kind `next` arrives. */
export const outranks = (current: SuppressionKind, next: SuppressionKind): boolean => STRENGTH[current] >= STRENGTH[next];

/** The kinds a new suppression of `kind` may replace: the weaker ones. */
export const replaceableBy = (kind: SuppressionKind): SuppressionKind[] => SUPPRESSION_KINDS.filter((k) => !outranks(k, kind));

const WEAKER = 'suppression_already_stronger';

/**
 * Suppresses an address unless a suppression at least as strong is in place (checked against the
 * very state the change is applied to), as a consent event with the feedback that caused it.
 * `suppressed` when it took effect, `unchanged` when a stronger one stands.
 */
export async function suppressAddress(store: Pick<SubscriptionStore, 'apply'>, address: string, suppression: Suppression, context: ChangeContext): Promise<'suppressed' | 'unchanged'> {
  const guard = (current: AddressState) => {
    if (current.suppression && outranks(current.suppression.kind, suppression.kind)) throw new AppError(WEAKER, 'A suppression at least as strong is in place', { status: 409 });
  };
  try {
    await store.apply(address, { suppression }, context, { guard });
    return 'suppressed';
  } catch (err) {
    if (err instanceof AppError && err.code === WEAKER) return 'unchanged';
    throw err;
  }
}
