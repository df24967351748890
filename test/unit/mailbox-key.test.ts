import { describe, expect, it } from 'vitest';
import { mailboxKey, normalizeAddress } from '../../src/addresses/index.ts';

describe('mailboxKey: the mailbox a rate limit counts', () => {
  it.each([
    ['victim+1@gmail.com', 'victim@gmail.com'],
    ['victim+2+more@gmail.com', 'victim@gmail.com'],
    ['v.ictim@gmail.com', 'victim@gmail.com'],
    ['V.I.C.T.I.M+spam@GoogleMail.com', 'victim@gmail.com'],
    ['ann+news@example.com', 'ann@example.com'],
    ['Ann@Example.COM', 'ann@example.com'],
    // dots count everywhere but gmail: a.nn and ann are different mailboxes at example.com
    ['a.nn@example.com', 'a.nn@example.com'],
    ['a.nn+x@example.com', 'a.nn@example.com'],
    // a local part that is all tag keeps its one character of mailbox
    ['+x@example.com', '+x@example.com'],
  ])('%s → %s', (address, key) => {
    expect(mailboxKey(address)).toBe(key);
  });

  it('leaves the address itself as written', () => {
    const address = normalizeAddress('V.ictim+1@gmail.com');
    expect(mailboxKey(address)).toBe('victim@gmail.com');
    expect(address).toBe('v.ictim+1@gmail.com');
  });
});
