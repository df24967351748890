import { describe, expect, it } from 'vitest';
import { decide, type Decision } from '../../src/subscriptions/policy.ts';
import { erasureEffect, subscribes } from '../../src/subscriptions/erasure-rule.ts';
import { erasedState } from '../../src/subscriptions/address-state-reader.ts';
import { outranks, replaceableBy } from '../../src/subscriptions/suppress-address.ts';
import { AppError } from '../../src/shared/errors.ts';
import { CONSENT_SOURCES, MESSAGE_KINDS, type ConsentMode, type MessageKind, type StateChange, type Suppression, type TypeState } from '../../src/subscriptions/types.ts';

const MODES: ConsentMode[] = ['opt-out', 'opt-in'];
const TYPE_STATES = ['subscribed', 'unsubscribed', 'not_specified'] as const;
const SUPPRESSIONS = ['none', 'hard_bounce', 'soft_bounce', 'complaint'] as const;
const at = new Date('2025-01-01T00:00:00Z');

/**
 * docs/rules.md §10 as a condition: an erased address is treated like one opted out of all for
 * marketing, with reason `erased`; only a hard bounce comes first. Transactional and one-to-one are
 * not affected (an erasure is not an opt-out): they are sent unless the mailbox does not exist.
 */
function expected(kind: MessageKind, suppression: (typeof SUPPRESSIONS)[number]): Decision {
  if (suppression === 'hard_bounce') return { send: false, rule: 'hard_bounce' };
  return kind === 'marketing' ? { send: false, rule: 'erased' } : { send: true, rule: kind };
}

const rows: [MessageKind, boolean, (typeof TYPE_STATES)[number], (typeof SUPPRESSIONS)[number], ConsentMode][] = [];
for (const kind of MESSAGE_KINDS)
  for (const optedOutOfAll of [false, true])
    for (const typeState of TYPE_STATES) for (const suppression of SUPPRESSIONS) for (const mode of MODES) rows.push([kind, optedOutOfAll, typeState, suppression, mode]);

describe('decide for an erased address: the full table', () => {
  it('has every combination', () => {
    expect(rows).toHaveLength(3 * 2 * 3 * 4 * 2);
  });

  it.each(rows)('%s, optedOutOfAll=%s, type %s, suppression %s, %s', (kind, optedOutOfAll, typeState, suppression, mode) => {
    const supp: Suppression | undefined = suppression === 'none' ? undefined : { kind: suppression, at, source: suppression === 'complaint' ? 'complaint' : 'bounce' };
    const subscriptions: Record<string, TypeState> = { newsletter: typeState };
    const state = { optedOutOfAll, subscriptions, suppression: supp, erased: true as const };
    expect(decide({ kind, subscriptionType: kind === 'marketing' ? 'newsletter' : undefined, state, mode })).toEqual(expected(kind, suppression));
  });

  it('the same state without the mark is decided as before (a subscribed type is sent)', () => {
    const state = { optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' as const }, suppression: undefined };
    for (const mode of MODES) expect(decide({ kind: 'marketing', subscriptionType: 'newsletter', state, mode })).toEqual({ send: true, rule: 'subscribed' });
  });
});

describe('what a change does to an erasure', () => {
  const erased = { optedOutOfAll: false, erased: true as const };
  const erasedOptedOut = { optedOutOfAll: true, erased: true as const };
  const subscribing: StateChange[] = [{ subscriptions: { newsletter: 'subscribed' } }, { optedOutOfAll: false, subscriptions: { events: 'subscribed', newsletter: 'unsubscribed' } }];
  const restricting: StateChange[] = [{ subscriptions: { newsletter: 'unsubscribed' } }, { optedOutOfAll: true }, { suppression: { kind: 'hard_bounce', at, source: 'bounce' } }, {}];

  it('an address not erased: nothing, whatever the change and source', () => {
    for (const source of CONSENT_SOURCES) for (const change of [...subscribing, ...restricting]) expect(erasureEffect({ optedOutOfAll: false }, change, { source })).toBe('none');
  });

  it('a change that only restricts keeps the erasure, from any source', () => {
    for (const source of CONSENT_SOURCES) for (const change of restricting) expect(erasureEffect(erased, change, { source })).toBe('keep');
  });

  it('lifting an opt-out of all subscribes (a fresh start or a refusal); setting it again does not', () => {
    expect(subscribes(erasedOptedOut, { optedOutOfAll: false })).toBe(true);
    expect(subscribes(erased, { optedOutOfAll: false })).toBe(false);
    expect(erasureEffect(erasedOptedOut, { optedOutOfAll: false }, { source: 'preferences_page' })).toBe('fresh_start');
    expect(() => erasureEffect(erasedOptedOut, { optedOutOfAll: false }, { source: 'operator' })).toThrow(AppError);
  });

  it('only the person’s own confirmed re-subscribe (form, preferences page) lifts it; any other source subscribing is 409 address_erased', () => {
    for (const source of CONSENT_SOURCES) {
      for (const change of subscribing) {
        if (source === 'resubscribe_form' || source === 'preferences_page') {
          expect(erasureEffect(erased, change, { source })).toBe('fresh_start');
          continue;
        }
        let thrown: unknown;
        try {
          erasureEffect(erased, change, { source });
        } catch (err) {
          thrown = err;
        }
        expect(thrown, source).toBeInstanceOf(AppError);
        expect(thrown).toMatchObject({ code: 'address_erased', status: 409 });
      }
    }
  });
});

describe('an erased address without a state document, read from its erasure record', () => {
  const kinds = ['none', 'hard_bounce', 'soft_bounce', 'complaint'] as const;
  const recordWith = (kind: (typeof kinds)[number]) =>
    kind === 'none' ? {} : { suppression: { kind, at, source: kind === 'complaint' ? ('complaint' as const) : ('bounce' as const), provider: 'api', eventId: 'e', statusCode: '5.1.1' } };

  it.each(kinds.flatMap((kind) => MESSAGE_KINDS.map((message) => [kind, message] as const)))('record suppression %s, %s mail: decided like a state with that suppression', (kind, message) => {
    const state = erasedState('ann@example.com', recordWith(kind));
    expect(state).toMatchObject({ erased: true, version: 0, optedOutOfAll: false, subscriptions: {} });
    for (const mode of MODES) expect(decide({ kind: message, subscriptionType: message === 'marketing' ? 'newsletter' : undefined, state, mode })).toEqual(expected(message, kind));
  });

  it('carries the record’s suppression as the state’s, with the status code as its only detail', () => {
    expect(erasedState('ann@example.com', recordWith('hard_bounce')).suppression).toEqual({ kind: 'hard_bounce', at, source: 'bounce', detail: '5.1.1' });
    expect(erasedState('ann@example.com', {}).suppression).toBeUndefined();
  });
});

describe('suppression strength: one rule for a state and an erasure record', () => {
  it('a weaker suppression never replaces a stronger or an equal one', () => {
    expect(replaceableBy('hard_bounce')).toEqual(['soft_bounce', 'complaint']);
    expect(replaceableBy('complaint')).toEqual(['soft_bounce']);
    expect(replaceableBy('soft_bounce')).toEqual([]);
    expect(outranks('hard_bounce', 'complaint')).toBe(true);
    expect(outranks('complaint', 'complaint')).toBe(true);
    expect(outranks('soft_bounce', 'complaint')).toBe(false);
  });
});
