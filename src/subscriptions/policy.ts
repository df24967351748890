import { typeStateOf } from './state-change.ts';
import type { AddressState, ConsentMode, MessageKind } from './types.ts';

export const SUPPRESS_REASONS = ['opted_out_of_all', 'unsubscribed_from_type', 'not_subscribed', 'hard_bounce', 'soft_bounce', 'complaint', 'erased'] as const;
export type SuppressReason = (typeof SUPPRESS_REASONS)[number];

export type Decision = { send: true } | { send: false; reason: SuppressReason };

export interface PolicyInput {
  kind: MessageKind;
  /** Required for marketing; ignored otherwise. */
  subscriptionType: string | undefined;
  state: Pick<AddressState, 'optedOutOfAll' | 'subscriptions' | 'suppression' | 'erased'>;
  mode: ConsentMode;
}

const SEND: Decision = { send: true };
const suppress = (reason: SuppressReason): Decision => ({ send: false, reason });

/**
 * May this message go to this address now? docs/rules.md §1, in order of precedence:
 * a hard bounce blocks every kind (the mailbox does not exist); transactional and one-to-one are
 * never blocked by an opt-out (nor by an erasure: docs/rules.md §10); marketing is blocked by an
 * erasure (like an opt-out of all, the person asked to be forgotten), by a complaint, by repeated soft bounces
 * (a `soft_bounce` suppression), by opting out of all, by
 * unsubscribing from its type, and in opt-in mode by anything but `subscribed`.
 * Marketing without a type cannot be proven allowed, so it is suppressed (fail closed).
 */
export function decide({ kind, subscriptionType, state, mode }: PolicyInput): Decision {
  if (state.suppression?.kind === 'hard_bounce') return suppress('hard_bounce');
  if (kind !== 'marketing') return SEND;
  if (state.erased) return suppress('erased');
  if (state.suppression?.kind === 'complaint') return suppress('complaint');
  if (state.suppression?.kind === 'soft_bounce') return suppress('soft_bounce');
  if (state.optedOutOfAll) return suppress('opted_out_of_all');
  const typeState = subscriptionType === undefined ? undefined : typeStateOf(state.subscriptions, subscriptionType);
  if (typeState === undefined) return suppress('not_subscribed');
  if (typeState === 'unsubscribed') return suppress('unsubscribed_from_type');
  if (mode === 'opt-in' && typeState !== 'subscribed') return suppress('not_subscribed');
  return SEND;
}
