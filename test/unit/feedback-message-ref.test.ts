import { describe, expect, it } from 'vitest';
import { mailgateIdFromHeaderMessageId, mailgateIdFromVerp, messageRefFromHeaderMessageId, messageRefFromVerp } from '../../src/feedback/message-ref.ts';
import { MessageTags, messageIdHeaderOf, verpAddressOf } from '../../src/shared/message-tag.ts';

const OUR_ID = '65a1b2c3d4e5f60718293a4b';
const OUR_HEADER_ID = `${OUR_ID}@mail.example.com`;
const TAG = '0123456789abcdef';

describe('message refs', () => {
  it.each<[string | undefined, string | undefined, string | undefined]>([
    [`<${OUR_HEADER_ID}>`, undefined, OUR_ID],
    [`<65A1B2C3D4E5F60718293A4B@Mail.Example.com>`, 'mail.example.com', OUR_ID],
    [`<${OUR_ID}.${TAG}@mail.example.com>`, 'mail.example.com', OUR_ID],
    [OUR_HEADER_ID, 'other.example', undefined],
    ['<65a1b2c3d4e5f607@mail.example.com>', undefined, undefined],
    [`<${OUR_ID}.${TAG}0@mail.example.com>`, undefined, undefined],
    [`<${OUR_ID}.xyz@mail.example.com>`, undefined, undefined],
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
    [`rfc822; <bounces+${OUR_ID}.${TAG.toUpperCase()}@bounce.example.com>`, 'bounce.example.com', OUR_ID],
    [`bounces+${OUR_ID}@bounce.example.com`, 'other.example.com', undefined],
    [`bounces+${OUR_ID}@bounce.example.com`, undefined, undefined],
    [`bounces+${OUR_ID}x@bounce.example.com`, 'bounce.example.com', undefined],
    [`news+${OUR_ID}@bounce.example.com`, 'bounce.example.com', undefined],
  ])('mailgateIdFromVerp(%s, %s) = %s', (address, domain, expected) => {
    expect(mailgateIdFromVerp(address, domain)).toBe(expected);
  });

  it('takes every stream\'s VERP domain when given several', () => {
    const domains = ['bounces.shop.example', 'bounces.news.example'];
    expect(mailgateIdFromVerp(`bounces+${OUR_ID}@Bounces.News.example`, domains)).toBe(OUR_ID);
    expect(mailgateIdFromVerp(`bounces+${OUR_ID}@bounces.shop.example`, domains)).toBe(OUR_ID);
    expect(mailgateIdFromVerp(`bounces+${OUR_ID}@bounces.other.example`, domains)).toBeUndefined();
    expect(mailgateIdFromVerp(`bounces+${OUR_ID}@bounces.shop.example`, [])).toBeUndefined();
  });

  it('says whether a reference carries a tag', () => {
    expect(messageRefFromVerp(`bounces+${OUR_ID}.${TAG}@b.example`, 'b.example')).toEqual({ id: OUR_ID, tag: TAG });
    expect(messageRefFromVerp(`bounces+${OUR_ID}@b.example`, 'b.example')).toEqual({ id: OUR_ID });
    expect(messageRefFromHeaderMessageId(`<${OUR_ID}.${TAG}@m.example>`)).toEqual({ id: OUR_ID, tag: TAG });
  });
});

describe('message tags', () => {
  const tags = new MessageTags(['first-secret-0123456789abcdef', 'older-secret-0123456789abcdef']);

  it('verifies what it tagged, under the current secret, and what an older secret tagged (rotation)', () => {
    const tag = tags.tag(OUR_ID);
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    expect(tags.verify({ id: OUR_ID, tag })).toBe(true);
    const older = new MessageTags(['older-secret-0123456789abcdef']).tag(OUR_ID);
    expect(tags.verify({ id: OUR_ID, tag: older })).toBe(true);
  });

  it('refuses a missing, wrong, foreign or malformed tag, and a tag moved to another id', () => {
    const tag = tags.tag(OUR_ID);
    expect(tags.verify({ id: OUR_ID })).toBe(false);
    expect(tags.verify({ id: OUR_ID, tag: `${tag.slice(0, 15)}${tag[15] === '0' ? '1' : '0'}` })).toBe(false);
    expect(tags.verify({ id: OUR_ID, tag: new MessageTags(['another-deployment-secret-000000']).tag(OUR_ID) })).toBe(false);
    expect(tags.verify({ id: OUR_ID, tag: tag.toUpperCase() })).toBe(false);
    expect(tags.verify({ id: '65a1b2c3d4e5f60718293a4c', tag })).toBe(false);
  });

  it('writes the references the parsers read back', () => {
    const tag = tags.tag(OUR_ID);
    expect(messageRefFromVerp(verpAddressOf(OUR_ID, tag, 'b.example'), 'b.example')).toEqual({ id: OUR_ID, tag });
    expect(messageRefFromHeaderMessageId(messageIdHeaderOf(OUR_ID, tag, 'm.example'))).toEqual({ id: OUR_ID, tag });
  });
});
