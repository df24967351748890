import { AppError, notFound } from '../shared/errors.ts';
import type { SubscriptionStore } from './subscription-store.ts';
import { LEGAL_BASES, type AddressState, type LegalBasis } from './types.ts';

export interface LiftRequest {
  explanation: string;
  legalBasis?: LegalBasis;
  actor: string | undefined;
}

/**
 * An operator lifts a deliverability suppression (docs/rules.md §7): always with an explanation;
 * lifting a `complaint` is a re-subscribe in effect, so it also needs a legal basis. Recorded as a
 * consent event with the actor. Checked against the state the change is applied to (guard).
 */
export async function liftSuppression(store: SubscriptionStore, address: string, request: LiftRequest): Promise<AddressState> {
  const explanation = request.explanation.trim();
  const guard = (current: AddressState) => {
    if (!current.suppression) throw notFound('not_suppressed', 'This address has no suppression to lift');
    if (explanation.length === 0) throw new AppError('explanation_required', 'Lifting a suppression needs a non-empty explanation', { status: 422 });
    if (current.suppression.kind === 'complaint' && !request.legalBasis) {
      throw new AppError('legal_basis_required', 'This address complained: lifting it needs a legalBasis and an explanation', {
        status: 422,
        details: { legalBases: LEGAL_BASES },
      });
    }
  };
  const { state } = await store.apply(
    address,
    { suppression: null },
    {
      source: 'operator',
      ...(request.actor ? { actor: request.actor } : {}),
      ...(request.legalBasis ? { legalBasis: request.legalBasis } : {}),
      legalBasisExplanation: explanation,
    },
    { guard },
  );
  return state;
}
