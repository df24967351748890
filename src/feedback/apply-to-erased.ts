import type { ErasureRestrictions, ErasureSuppression, SuppressionKind } from '../subscriptions/index.ts';
import type { FeedbackRecord } from './feedback-record.model.ts';
import type { FeedbackRepository } from './feedback-repository.ts';

export interface ApplyToErasedDeps {
  erasures: Pick<ErasureRestrictions, 'suppress'>;
  feedback: Pick<FeedbackRepository, 'softBouncesOfErasure'>;
  softBounceLimit: number;
  softBounceWindowDays: number;
}

/**
 * Applies one feedback event about an erased address that has no state document (docs/rules.md §10)
 * to its erasure record, by the record's key: no state document, no consent event, nothing that
 * names the address. The same rules as for a state (apply-feedback.ts): a hard bounce → `hard_bounce`
 * (then transactional mail to it is suppressed too), a complaint → `complaint`, SOFT_BOUNCE_LIMIT
 * soft bounces in the window with no delivery since → `soft_bounce`; a weaker never replaces a
 * stronger. An unsubscribe records nothing: an erased address gets no marketing whatever it says,
 * and only the person's own confirmed re-subscribe, which comes later and outranks it, brings
 * marketing back; the raw record (under the key) is the trace that it was heard.
 */
export async function applyToErased(deps: ApplyToErasedDeps, record: FeedbackRecord, key: string, now: Date): Promise<'suppressed' | 'counted' | 'nothing'> {
  const suppress = async (kind: SuppressionKind) => {
    const suppression: ErasureSuppression = {
      kind,
      at: record.at,
      source: kind === 'complaint' ? 'complaint' : 'bounce',
      provider: record.provider,
      eventId: record.eventId,
      ...(record.statusCode ? { statusCode: record.statusCode } : {}),
    };
    return (await deps.erasures.suppress(key, suppression)) ? 'suppressed' : 'nothing';
  };
  switch (record.type) {
    case 'hard_bounce':
    case 'complaint':
      return suppress(record.type);
    case 'soft_bounce': {
      const since = new Date(now.getTime() - deps.softBounceWindowDays * 86_400_000);
      if ((await deps.feedback.softBouncesOfErasure(key, since)) < deps.softBounceLimit) return 'counted';
      return suppress('soft_bounce');
    }
    default:
      return 'nothing';
  }
}
