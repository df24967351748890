import { describe, expect, it } from 'vitest';
import { DECISION_RULES, SEND_RULES, SUPPRESS_REASONS, decide, type Decision, type SuppressReason } from '../../src/subscriptions/policy.ts';
import { assertLegalBasis, liftsOptOut } from '../../src/subscriptions/legal-basis.ts';
import { AppError } from '../../src/shared/errors.ts';
import { MESSAGE_KINDS, type ConsentMode, type MessageKind, type Suppression, type TypeState } from '../../src/subscriptions/types.ts';

const MODES: ConsentMode[] = ['opt-out', 'opt-in'];
/** `absent`: the address has no recorded state for the type (reads as not_specified). */
const TYPE_STATES = ['subscribed', 'unsubscribed', 'not_specified', 'absent'] as const;
const SUPPRESSIONS = ['none', 'hard_bounce', 'soft_bounce', 'complaint'] as const;
const at = new Date('2025-01-01T00:00:00Z');

/**
 * docs/rules.md §1 written as conditions, independently of the implementation's if-chain:
 * marketing is sent iff there is no suppression, the address has not opted out of all, the type is
 * not unsubscribed, and (opt-in mode only) the type is subscribed; transactional and one-to-one
 * are sent iff there is no hard bounce (a soft-bounce suppression blocks marketing only). When
 * blocked, the rule is the first failing condition in the order hard_bounce, complaint,
 * soft_bounce, opted_out_of_all, unsubscribed_from_type, not_subscribed. When sent, the rule says
 * what allowed it: the kind for transactional and one-to-one; for marketing `subscribed`, or
 * `not_specified_opt_out_mode` when the type was never chosen and the mode is opt-out.
 */
function expected(kind: MessageKind, optedOutOfAll: boolean, typeState: (typeof TYPE_STATES)[number], suppression: (typeof SUPPRESSIONS)[number], mode: ConsentMode): Decision {
  const effective: TypeState = typeState === 'absent' ? 'not_specified' : typeState;
  const failing: [boolean, SuppressReason][] =
    kind === 'marketing'
      ? [
          [suppression === 'hard_bounce', 'hard_bounce'],
          [suppression === 'complaint', 'complaint'],
          [suppression === 'soft_bounce', 'soft_bounce'],
          [optedOutOfAll, 'opted_out_of_all'],
          [effective === 'unsubscribed', 'unsubscribed_from_type'],
          [mode === 'opt-in' && effective !== 'subscribed', 'not_subscribed'],
        ]
      : [[suppression === 'hard_bounce', 'hard_bounce']];
  const first = failing.find(([fails]) => fails);
  if (first) return { send: false, rule: first[1] };
  if (kind !== 'marketing') return { send: true, rule: kind };
  return { send: true, rule: effective === 'subscribed' ? 'subscribed' : 'not_specified_opt_out_mode' };
}

const rows: [MessageKind, boolean, (typeof TYPE_STATES)[number], (typeof SUPPRESSIONS)[number], ConsentMode][] = [];
for (const kind of MESSAGE_KINDS)
  for (const optedOutOfAll of [false, true])
    for (const typeState of TYPE_STATES)
      for (const suppression of SUPPRESSIONS) for (const mode of MODES) rows.push([kind, optedOutOfAll, typeState, suppression, mode]);

function decideRow([kind, optedOutOfAll, typeState, suppression, mode]: (typeof rows)[number]): Decision {
  const supp: Suppression | undefined = suppression === 'none' ? undefined : { kind: suppression, at, source: suppression === 'complaint' ? 'complaint' : 'bounce' };
  const subscriptions: Record<string, TypeState> = typeState === 'absent' ? { events: 'unsubscribed' } : { newsletter: typeState, events: 'unsubscribed' };
  return decide({ kind, subscriptionType: kind === 'marketing' ? 'newsletter' : undefined, state: { optedOutOfAll, subscriptions, suppression: supp }, mode });
}

describe('decide: the full table (kind × optedOutOfAll × type state × suppression × mode)', () => {
  it('has every combination', () => {
    expect(rows).toHaveLength(3 * 2 * 4 * 4 * 2);
  });

  it.each(rows)('%s, optedOutOfAll=%s, type %s, suppression %s, %s', (kind, optedOutOfAll, typeState, suppression, mode) => {
    expect(decideRow([kind, optedOutOfAll, typeState, suppression, mode])).toEqual(expected(kind, optedOutOfAll, typeState, suppression, mode));
  });
});

describe('decide: the rules', () => {
  it('names a rule for every decision: the table reaches every rule but erased (policy-erased.test.ts) and frequency_capped (the send use case decides it, not the policy), and no other', () => {
    const reached = new Set(rows.map((row) => decideRow(row).rule));
    expect([...reached].sort()).toEqual(DECISION_RULES.filter((r) => r !== 'erased' && r !== 'frequency_capped').sort());
    for (const row of rows) {
      const decision = decideRow(row);
      expect(decision.send ? SEND_RULES : SUPPRESS_REASONS).toContain(decision.rule);
    }
  });

  it('a send names what allowed it; in opt-in mode only subscribed goes', () => {
    const state = { optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' as const }, suppression: undefined };
    expect(decide({ kind: 'marketing', subscriptionType: 'newsletter', state, mode: 'opt-in' })).toEqual({ send: true, rule: 'subscribed' });
    expect(decide({ kind: 'marketing', subscriptionType: 'newsletter', state, mode: 'opt-out' })).toEqual({ send: true, rule: 'subscribed' });
    expect(decide({ kind: 'marketing', subscriptionType: 'events', state, mode: 'opt-out' })).toEqual({ send: true, rule: 'not_specified_opt_out_mode' });
    expect(decide({ kind: 'marketing', subscriptionType: 'events', state, mode: 'opt-in' })).toEqual({ send: false, rule: 'not_subscribed' });
  });
});

describe('decide: edges', () => {
  const clean = { optedOutOfAll: false, subscriptions: {}, suppression: undefined };

  it('marketing without a subscription type is never sent (fail closed), in either mode', () => {
    for (const mode of MODES) expect(decide({ kind: 'marketing', subscriptionType: undefined, state: clean, mode })).toEqual({ send: false, rule: 'not_subscribed' });
  });

  it('transactional and one-to-one ignore every opt-out and a complaint', () => {
    const state = { optedOutOfAll: true, subscriptions: { newsletter: 'unsubscribed' as const }, suppression: { kind: 'complaint' as const, at, source: 'complaint' as const } };
    for (const kind of ['transactional', 'one_to_one'] as const) {
      for (const mode of MODES) expect(decide({ kind, subscriptionType: 'newsletter', state, mode })).toEqual({ send: true, rule: kind });
    }
  });

  it('a type id that is an Object.prototype key reads as not_specified', () => {
    expect(decide({ kind: 'marketing', subscriptionType: 'constructor', state: clean, mode: 'opt-in' })).toEqual({ send: false, rule: 'not_subscribed' });
    expect(decide({ kind: 'marketing', subscriptionType: 'constructor', state: clean, mode: 'opt-out' })).toEqual({ send: true, rule: 'not_specified_opt_out_mode' });
  });
});

describe('legal-basis rule', () => {
  const optedOut = { optedOutOfAll: true, subscriptions: { newsletter: 'unsubscribed' as const, events: 'not_specified' as const } };

  it.each([
    [{ optedOutOfAll: false }, true],
    [{ optedOutOfAll: true }, false],
    [{ subscriptions: { newsletter: 'subscribed' as const } }, true],
    [{ subscriptions: { events: 'subscribed' as const } }, false],
    [{ subscriptions: { 'product-updates': 'subscribed' as const } }, false],
    [{ subscriptions: { newsletter: 'unsubscribed' as const } }, false],
  ])('liftsOptOut(%j) = %s', (change, lifts) => {
    expect(liftsOptOut(optedOut, change)).toBe(lifts);
  });

  it('clearing an optedOutOfAll that is already false lifts nothing', () => {
    expect(liftsOptOut({ optedOutOfAll: false, subscriptions: {} }, { optedOutOfAll: false })).toBe(false);
  });

  it.each([
    [{}],
    [{ legalBasis: 'consent_with_notice' }],
    [{ legalBasisExplanation: 'they asked us at the fair' }],
    [{ legalBasis: 'consent_with_notice', legalBasisExplanation: '   ' }],
    [{ legalBasis: 'because', legalBasisExplanation: 'they asked us at the fair' }],
  ])('refuses lifting an opt-out with %j: 422 legal_basis_required', (grounds) => {
    try {
      assertLegalBasis(optedOut, { optedOutOfAll: false }, grounds);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('legal_basis_required');
      expect((err as AppError).status).toBe(422);
    }
  });

  it('allows lifting with a basis and an explanation, and anything that lifts nothing without them', () => {
    expect(() => assertLegalBasis(optedOut, { optedOutOfAll: false }, { legalBasis: 'legitimate_interest_customer', legalBasisExplanation: 'active contract' })).not.toThrow();
    expect(() => assertLegalBasis(optedOut, { subscriptions: { events: 'subscribed' } }, {})).not.toThrow();
  });
});
