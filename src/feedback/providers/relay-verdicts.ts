import { classifyStatus, type Classification, type StatusInput } from '../classify.ts';
import type { FeedbackEvent, FeedbackType } from '../feedback-event.ts';
import { ignoredDetail, withOptional } from './relay-fields.ts';

/**
 * The order of reading every relay event (docs/feedback-verdicts-draft.md): the relay's own verdict
 * decides what kind of event it is; the SMTP codes only refine it within that verdict, toward "not
 * the recipient's fault" (a policy block, a sender-side rejection), never from temporary to hard.
 */

/** A verdict with what else a provider parser may say about an unsubscribe. */
export interface Verdict extends Classification {
  scope?: 'all';
}

/**
 * A relay's final soft failure (Postmark SoftBounce, Mailgun `old`, SendGrid `expired`): a soft
 * bounce, unless the recipient's status shows it was a policy, sender-side or size rejection.
 * `detail` names the kind when the status does not.
 */
export function finalSoftVerdict(status: StatusInput, detail: string): Classification {
  const c = classifyStatus({ ...status, action: undefined });
  if (c.type === 'ignored' && c.detail !== 'unknown') return c;
  return { type: 'soft_bounce', detail: (c.type === 'soft_bounce' ? c.detail : undefined) ?? detail };
}

/** How much a verdict takes away from an address: the larger, the harder to undo. */
const DESTRUCTIVENESS: Record<FeedbackType, number> = { ignored: 0, delivered: 0, delayed: 1, soft_bounce: 2, unsubscribe: 3, complaint: 4, hard_bounce: 5 };

/** Of two readings of one event that disagree, the one that takes less away (a wrong hard bounce is the costly mistake). */
export function lessDestructive(a: Classification, b: Classification): Classification {
  return DESTRUCTIVENESS[b.type] < DESTRUCTIVENESS[a.type] ? b : a;
}

/** What every event of a relay body carries before its verdict is known. */
export type EventBase = Omit<FeedbackEvent, 'type' | 'detail' | 'statusCode' | 'diagnostic' | 'scope' | 'raw'>;

/**
 * The event for a verdict. One that would act on an address (anything but `ignored`) but names
 * none is ignored as `no_address:<what>`: there is nobody to act on, and nothing to retry.
 */
export function relayEvent(base: EventBase, verdict: Verdict, what: string, extra: { statusCode?: string | undefined; diagnostic?: string | undefined } = {}): FeedbackEvent {
  if (verdict.type !== 'ignored' && base.address === undefined) {
    return withOptional({ ...base, type: 'ignored' }, { ...extra, detail: ignoredDetail('no_address', what) });
  }
  return withOptional({ ...base, type: verdict.type }, { ...extra, detail: verdict.detail, scope: verdict.type === 'unsubscribe' ? verdict.scope : undefined });
}
