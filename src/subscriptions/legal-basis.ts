import { AppError } from '../shared/errors.ts';
import { typeStateOf } from './state-change.ts';
import { LEGAL_BASES, type AddressState, type LegalBasis, type StateChange } from './types.ts';

/**
 * Does this change lift an opt-out (docs/rules.md §2, the seed's rule 5)? Clearing an
 * `optedOutOfAll` that is set, or setting `subscribed` on a type that is `unsubscribed`.
 */
export function liftsOptOut(current: Pick<AddressState, 'optedOutOfAll' | 'subscriptions'>, change: StateChange): boolean {
  if (current.optedOutOfAll && change.optedOutOfAll === false) return true;
  return Object.entries(change.subscriptions ?? {}).some(
    ([type, next]) => next === 'subscribed' && typeStateOf(current.subscriptions, type) === 'unsubscribed',
  );
}

const isLegalBasis = (value: unknown): value is LegalBasis => typeof value === 'string' && (LEGAL_BASES as readonly string[]).includes(value);

/**
 * An operator (one address or a bulk import) may lift an opt-out only with a legal basis from
 * LEGAL_BASES and a non-empty explanation; otherwise 422 `legal_basis_required`. Pure.
 */
export function assertLegalBasis(
  current: Pick<AddressState, 'optedOutOfAll' | 'subscriptions'>,
  change: StateChange,
  grounds: { legalBasis?: unknown; legalBasisExplanation?: unknown },
): void {
  if (!liftsOptOut(current, change)) return;
  const explanation = typeof grounds.legalBasisExplanation === 'string' ? grounds.legalBasisExplanation.trim() : '';
  if (isLegalBasis(grounds.legalBasis) && explanation.length > 0) return;
  throw new AppError(
    'legal_basis_required',
    'This address opted out: re-subscribing it needs a legalBasis and a non-empty legalBasisExplanation',
    { status: 422, details: { legalBases: LEGAL_BASES } },
  );
}
