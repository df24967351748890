import { SUPPRESSION_KINDS, type SuppressionKind } from './types.ts';

/**
 * How much a suppression blocks (PRODUCT.md §6): a weaker one never replaces a stronger one. The one
 * rule for both places a suppression is set: an address's state (feedback/apply-feedback.ts) and an
 * erasure record (erasure-restrictions.ts).
 */
const STRENGTH: Record<SuppressionKind, number> = { soft_bounce: 1, complaint: 2, hard_bounce: 3 };

/** Whether a suppression of kind `current` stays when one of kind `next` arrives. */
export const outranks = (current: SuppressionKind, next: SuppressionKind): boolean => STRENGTH[current] >= STRENGTH[next];

/** The kinds a new suppression of `kind` may replace: the weaker ones. */
export const replaceableBy = (kind: SuppressionKind): SuppressionKind[] => SUPPRESSION_KINDS.filter((k) => !outranks(k, kind));
