import { typeStateOf } from './state-change.ts';
import type { SendRule, SuppressReason } from '../shared/decision-rules.ts';
import type { AddressState, ConsentMode, MessageKind } from './types.ts';

export { SEND_RULES, SUPPRESS_REASONS, DECISION_RULES, type SendRule, type SuppressReason, type DecisionRule } from '../shared/decision-rules.ts';

/** Whether the message may go, and the rule that decided: kept on its outcome as the evidence (a suppression's rule is its reason). */
export type Decision = { send: true; rule: SendRule } | { send: false; rule: SuppressReason };

export interface PolicyInput {
  kind: MessageKind;
  /** Required for marketing; ignored otherwise. */
  subscriptionType: string | undefined;
  state: Pick<AddressState, 'optedOutOfAll' | 'subscriptions' | 'suppression' | 'erased'>;
  mode: ConsentMode;
}

const send = (rule: SendRule): Decision => ({ send: true, rule });
const suppress = (rule: SuppressReason): Decision => ({ send: false, rule });

/**
 * May this message go to this address now? docs/rules.md §1, in order of precedence:
 * a hard bounce blocks every kind (the mailbox does not exist); transactional and one-to-one are
 * never blocked by an opt-out (nor by an erasure: docs/rules.md §10); marketing is blocked by an
 * erasure (like an opt-out of all, the person asked to be forgotten), by a complaint, by repeated soft bounces
 * (a `soft_bounce` suppression), by opting out of all, by
 * unsubscribing from its type, and in opt-in mode by anything but `subscribed`.
 * Marketing without a type cannot be proven allowed, so it is suppressed (fail closed).
 * Every answer names its rule, a send's too: transactional and one-to-one go as `transactional` /
 * `one_to_one`, marketing as `subscribed` or, in opt-out mode, `not_specified_opt_out_mode`.
 */
export function decide({ kind, subscriptionType, state, mode }: PolicyInput): Decision {
  if (state.suppression?.kind === 'hard_bounce') return suppress('hard_bounce');
  if (kind !== 'marketing') return send(kind);
  if (state.erased) return suppress('erased');
  if (state.suppression?.kind === 'complaint') return suppress('complaint');
  if (state.suppression?.kind === 'soft_bounce') return suppress('soft_bounce');
  if (state.optedOutOfAll) return suppress('opted_out_of_all');
  const typeState = subscriptionType === undefined ? undefined : typeStateOf(state.subscriptions, subscriptionType);
  if (typeState === undefined) return suppress('not_subscribed');
  if (typeState === 'unsubscribed') return suppress('unsubscribed_from_type');
  if (typeState === 'subscribed') return send('subscribed');
  return mode === 'opt-in' ? suppress('not_subscribed') : send('not_specified_opt_out_mode');
}
