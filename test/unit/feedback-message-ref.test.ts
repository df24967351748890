import { describe, expect, it } from 'vitest';
import { mailgateIdFromHeaderMessageId, mailgateIdFromVerp } from '../../src/feedback/message-ref.ts';

const OUR_ID = '65a1b2c3d4e5f60718293a4b';
const OUR_HEADER_ID = `${OUR_ID}@mail.example.com`;

describe('message refs', () => {
  it.each<[string | undefined, string | undefined, string | undefined]>([
    [`<${OUR_HEADER_ID}>`, undefined, OUR_ID],
    [`<65A1B2C3D4E5F60718293A4B@Mail.Example.com>`, 'mail.example.com', OUR_ID],
    [OUR_HEADER_ID, 'other.example', undefined],
    ['<65a1b2c3d4e5f607@mail.example.com>', undefined, undefined],
    ['<CAJoe1234567890@mail.example.com>', undefined, undefined],
    ['', undefined, undefined],
    [undefined, undefined, undefined],
  ])('mailgateIdFromHeaderMessageId(%s, %s) = %s', (value, domain, expected) => {
    expect(mailgateIdFromHeaderMessageId(value, domain)).toBe(expected);
  });

  it.each<[string, string | undefined, string | undefined]>([
    [`bounces+${OUR_ID}@bounce.example.com`, 'bounce.example.com', OUR_ID],
    [`<bounces+${OUR_ID}@BOUNCE.Example.COM>`, 'bounce.example.com', OUR_ID],
    [`Bounces+${OUR_ID.toUpperCase()}@bounce.example.com`, 'bounce.example.com', OUR_ID],
    [`bounces+${OUR_ID}@bounce.example.com`, 'other.example.com', undefined],
    [`bounces+${OUR_ID}@bounce.example.com`, undefined, undefined],
    [`bounces+${OUR_ID}x@bounce.example.com`, 'bounce.example.com', undefined],
    [`news+${OUR_ID}@bounce.example.com`, 'bounce.example.com', undefined],
  ])('mailgateIdFromVerp(%s, %s) = %s', (address, domain, expected) => {
    expect(mailgateIdFromVerp(address, domain)).toBe(expected);
  });
});
