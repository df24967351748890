import { describe, expect, it } from 'vitest';
import { relayIdFromReply } from '../../src/messages/relay-id.ts';

describe('relayIdFromReply: the relay queue id in a 250 reply', () => {
  it.each([
    ['250 2.0.0 Ok: queued as 4TDx1q2r3s', '4TDx1q2r3s'],
    ['250 Ok: queued as qKxCM1ZkQ5a3BeIXdjmIZw', 'qKxCM1ZkQ5a3BeIXdjmIZw'],
    ['250 Ok 0100018d0b5a1c2e-6c1f4a3e-8d2b-4f7a-9e10-2b3c4d5e6f70-000000', '0100018d0b5a1c2e-6c1f4a3e-8d2b-4f7a-9e10-2b3c4d5e6f70-000000'],
    ['250 2.0.0 OK 1705312805 a8si123456qkb.42 - gsmtp', undefined],
    ['250 OK: message queued', undefined],
    ['written to /tmp/outbox/x.eml', undefined],
  ])('%s', (reply, id) => {
    expect(relayIdFromReply(reply)).toBe(id);
  });
});

describe('relayIdFromReply: the reply is read from its first 4 KB', () => {
  it('finds an id in a long multi-line reply, but not one written after 4 KB of it', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `250-line ${String(i)} ${'x'.repeat(40)}`).join('\r\n');
    expect(relayIdFromReply(`${lines(20)}\r\n250 2.0.0 Ok: queued as 4TDx1q2r3s`)).toBe('4TDx1q2r3s');
    expect(relayIdFromReply(`${lines(200)}\r\n250 2.0.0 Ok: queued as 4TDx1q2r3s`)).toBeUndefined();
  });
});
