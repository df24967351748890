import { describe, expect, it } from 'vitest';
import { accountKey } from '../../src/console/account-key.ts';
import { sessionEnd } from '../../src/console/console-auth.ts';
import type { ConsoleUser } from '../../src/console/console-user-repository.ts';

const HOUR = 3600_000;
const user: ConsoleUser = { email: 'ann@example.com', role: 'admin', createdAt: new Date(0), sessionEpoch: 'epoch-1' };
const signedInAt = 1_000_000;

describe('sessionEnd', () => {
  it('keeps a session of an unchanged account inside its lifetime', () => {
    expect(sessionEnd({ epoch: 'epoch-1', signedInAt }, user, signedInAt + 12 * HOUR - 1, 12 * HOUR)).toBeUndefined();
  });

  it.each([
    ['the account is gone', { epoch: 'epoch-1', signedInAt }, undefined, signedInAt, 'account_removed'],
    ['the password changed', { epoch: 'epoch-1', signedInAt }, { ...user, sessionEpoch: 'epoch-2' }, signedInAt, 'credentials_changed'],
    ['a session from before epochs', { signedInAt }, user, signedInAt, 'credentials_changed'],
    ['the lifetime is over', { epoch: 'epoch-1', signedInAt }, user, signedInAt + 12 * HOUR, 'expired'],
    ['a session from before sign-in times', { epoch: 'epoch-1' }, user, signedInAt, 'expired'],
  ] as const)('ends it when %s', (_label, session, account, now, reason) => {
    expect(sessionEnd(session, account, now, 12 * HOUR)).toBe(reason);
  });
});

describe('accountKey', () => {
  it('names one account for every spelling: spaces and case do not count', () => {
    for (const typed of [' Ann@Example.com ', 'ANN@EXAMPLE.COM', '\tann@example.com\n', `ann@example.com${' '.repeat(300)}`]) expect(accountKey(typed)).toBe('ann@example.com');
  });

  it('refuses more than 320 characters as typed, padding included', () => {
    expect(() => accountKey(`ann@example.com${' '.repeat(306)}`)).toThrow(expect.objectContaining({ code: 'email_too_long', status: 400 }));
    expect(accountKey(`ann@example.com${' '.repeat(305)}`)).toBe('ann@example.com');
  });
});
