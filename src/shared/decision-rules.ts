/**
 * The words for why the send-time check let a message go or stopped it (docs/rules.md §1). The policy
 * (subscriptions/policy.ts) decides in them; a message's outcome keeps them, and the message view and
 * the typed client show them, so every domain and the contract speak of them from here.
 */

/** `opt-out`: a type never chosen (`not_specified`) may receive marketing; `opt-in`: only `subscribed` may. */
export const CONSENT_MODES = ['opt-out', 'opt-in'] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

/**
 * Why a message went: transactional and one-to-one mail is never blocked by an opt-out (only a hard
 * bounce stops it); marketing went because the address is `subscribed` to its type, or because the
 * type is `not_specified` and the consent mode is `opt-out`.
 */
export const SEND_RULES = ['transactional', 'one_to_one', 'subscribed', 'not_specified_opt_out_mode'] as const;
export type SendRule = (typeof SEND_RULES)[number];

/**
 * Why a message was suppressed: its `reason`. All but `frequency_capped` are the policy's
 * (subscriptions/policy.ts); `frequency_capped` is the send use case's, after the policy said send:
 * the mailbox had its marketing for the window (delivery/frequency-cap.ts, docs/rules.md §13).
 */
export const SUPPRESS_REASONS = ['opted_out_of_all', 'unsubscribed_from_type', 'not_subscribed', 'hard_bounce', 'soft_bounce', 'complaint', 'erased', 'frequency_capped'] as const;
export type SuppressReason = (typeof SUPPRESS_REASONS)[number];

/** The rule that decided, either way. */
export const DECISION_RULES = [...SEND_RULES, ...SUPPRESS_REASONS] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];
