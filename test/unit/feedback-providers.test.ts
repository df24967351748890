import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FeedbackEvent } from '../../src/feedback/feedback-event.ts';
import { parseMailgunWebhook } from '../../src/feedback/providers/mailgun-events.ts';
import { parsePostmarkWebhook } from '../../src/feedback/providers/postmark-events.ts';
import { parseSendgridEvents } from '../../src/feedback/providers/sendgrid-events.ts';
import { parseSesNotification } from '../../src/feedback/providers/ses-events.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/feedback/${name}`, import.meta.url), 'utf8')) as unknown;
const fixtureText = (name: string): string => readFileSync(new URL(`../fixtures/feedback/${name}`, import.meta.url), 'utf8');
const clone = <T>(value: T): T => structuredClone(value);
const OUR_ID = '65a1b2c3d4e5f60718293a4b';
const OUR_HEADER_ID = `${OUR_ID}@mail.example.com`;

describe('SES notifications', () => {
  it('a Permanent/General bounce yields one hard bounce per recipient, naming our message', () => {
    const events = parseSesNotification(fixture('ses-bounce-permanent.json'));
    expect(events).toHaveLength(2);
    expect(events.map((e) => [e.type, e.address, e.statusCode, e.eventId])).toEqual([
      ['hard_bounce', 'recipient1@example.org', '5.1.1', '0100018d0b5a2f11-3a7b9c1d-1e2f-4a5b-8c9d-0e1f2a3b4c5d-000000:recipient1@example.org'],
      ['hard_bounce', 'recipient2@example.org', '5.1.1', '0100018d0b5a2f11-3a7b9c1d-1e2f-4a5b-8c9d-0e1f2a3b4c5d-000000:recipient2@example.org'],
    ]);
    expect(events[0]).toMatchObject({
      provider: 'ses',
      at: new Date('2024-01-15T10:00:02.605Z'),
      diagnostic: 'smtp; 550 5.1.1 user unknown',
      detail: 'bad_mailbox',
      message: { messageId: OUR_ID, headerMessageId: OUR_HEADER_ID, relayMessageId: '0100018d0b5a1c2e-6c1f4a3e-8d2b-4f7a-9e10-2b3c4d5e6f70-000000' },
    });
  });

  it('takes the SNS Message as a string, or as a whole SNS envelope, the same way', () => {
    const text = fixtureText('ses-bounce-permanent.json');
    const envelope = { Type: 'Notification', MessageId: 'b1b2', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses', Message: text, Timestamp: '2024-01-15T10:00:03.000Z' };
    expect(parseSesNotification(text)).toEqual(parseSesNotification(fixture('ses-bounce-permanent.json')));
    expect(parseSesNotification(envelope)).toEqual(parseSesNotification(text));
  });

  it('a Permanent bounce whose recipient status is sender-side or policy is not the recipient’s fault', () => {
    const n = clone(fixture('ses-bounce-permanent.json')) as { bounce: { bouncedRecipients: { status: string; diagnosticCode: string }[] } };
    const [first, second] = n.bounce.bouncedRecipients;
    if (!first || !second) throw new Error('fixture has two recipients');
    Object.assign(first, { status: '5.1.8', diagnosticCode: 'smtp; 553 5.1.8 <news@example.com>: Sender address rejected: Domain not found' });
    Object.assign(second, { status: '5.7.1', diagnosticCode: 'smtp; 554 5.7.1 Service unavailable; client host blocked using Spamhaus' });
    expect(parseSesNotification(n).map((e) => [e.type, e.detail])).toEqual([
      ['ignored', 'sender_side'],
      ['ignored', 'policy'],
    ]);
  });

  it('a Transient/MailboxFull bounce is soft', () => {
    const [event, ...rest] = parseSesNotification(fixture('ses-bounce-transient-mailbox-full.json'));
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({ type: 'soft_bounce', address: 'full@example.net', statusCode: '5.2.2', detail: 'mailbox_full' });
  });

  it.each([
    ['Transient', 'MessageTooLarge', 'ignored', 'message_size'],
    ['Transient', 'ContentRejected', 'ignored', 'content_rejected'],
    ['Transient', 'AttachmentRejected', 'ignored', 'attachment_rejected'],
    ['Transient', 'General', 'soft_bounce', 'General'],
    ['Undetermined', 'Undetermined', 'ignored', 'undetermined'],
    ['Permanent', 'Suppressed', 'hard_bounce', 'Suppressed'],
  ])('bounceType %s / %s → %s (%s)', (bounceType, bounceSubType, type, detail) => {
    const n = clone(fixture('ses-bounce-transient-mailbox-full.json')) as { bounce: Record<string, unknown> & { bouncedRecipients: Record<string, unknown>[] } };
    n.bounce.bounceType = bounceType;
    n.bounce.bounceSubType = bounceSubType;
    n.bounce.bouncedRecipients = [{ emailAddress: 'r@example.net' }];
    expect(parseSesNotification(n).map((e) => [e.type, e.detail])).toEqual([[type, detail]]);
  });

  it('a Complaint (abuse) is a complaint; not-spam is ignored', () => {
    const n = fixture('ses-complaint-abuse.json');
    expect(parseSesNotification(n)).toEqual<FeedbackEvent[]>([
      expect.objectContaining({
        type: 'complaint',
        address: 'complainer@example.com',
        detail: 'abuse',
        eventId: '0100018d1061c2b3-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000:complainer@example.com',
        at: new Date('2024-01-16T09:24:22.623Z'),
      }) as FeedbackEvent,
    ]);
    const notSpam = clone(n) as { complaint: Record<string, unknown> };
    notSpam.complaint.complaintFeedbackType = 'not-spam';
    expect(parseSesNotification(notSpam).map((e) => [e.type, e.detail])).toEqual([['ignored', 'not_spam']]);
  });

  it('a Delivery is delivered per recipient', () => {
    expect(parseSesNotification(fixture('ses-delivery.json'))).toEqual([
      expect.objectContaining({ type: 'delivered', address: 'reader@example.com', diagnostic: '250 ok: Message 64111812 accepted', message: expect.objectContaining({ messageId: OUR_ID }) as unknown }),
    ]);
  });

  it('reads the eventType form of event publishing (an account-suppressed address is still hard)', () => {
    const [event] = parseSesNotification(fixture('ses-event-bounce-suppressed.json'));
    expect(event).toMatchObject({ type: 'hard_bounce', address: 'gone@example.org', provider: 'ses' });
  });

  it('answers event types it does not act on with an ignored event and its reason', () => {
    const n = clone(fixture('ses-delivery.json')) as Record<string, unknown>;
    delete n.notificationType;
    delete n.delivery;
    n.eventType = 'Open';
    expect(parseSesNotification(n)).toEqual([expect.objectContaining({ type: 'ignored', address: 'reader@example.com', detail: 'engagement:Open' })]);
    n.eventType = 'SomethingNew';
    expect(parseSesNotification(n)).toEqual([expect.objectContaining({ type: 'ignored', address: undefined, detail: 'unknown_event:SomethingNew' })]);
  });

  it('never throws: what it cannot read is one ignored event, kept raw for the operator', () => {
    const noRecipients = clone(fixture('ses-bounce-permanent.json')) as { bounce: Record<string, unknown> };
    delete noRecipients.bounce.bouncedRecipients;
    for (const [input, why] of [
      ['{"notificationType": "Bounce", ', 'unreadable:not_json'],
      [noRecipients, 'unreadable:bounced_recipients'],
      [null, 'unreadable:not_an_object'],
    ] as const) {
      const events = parseSesNotification(input);
      expect(events).toEqual([expect.objectContaining({ type: 'ignored', address: undefined, provider: 'ses', detail: why, raw: expect.any(String) as unknown })]);
    }
    // JSON on the topic that is not from SES at all: ignored, nothing worth keeping.
    expect(parseSesNotification({ mail: { messageId: 'x', timestamp: '2024-01-15T10:00:00Z' } })).toEqual([expect.objectContaining({ type: 'ignored', detail: 'not_ses_event' })]);
  });
});

describe('Postmark webhooks', () => {
  it('the documented HardBounce sample is a hard bounce', () => {
    expect(parsePostmarkWebhook(fixture('postmark-bounce-hard.json'))).toEqual([
      {
        ...{ type: 'hard_bounce', address: 'john@example.com', at: new Date('2019-11-05T16:33:54.907Z'), provider: 'postmark' },
        ...{ eventId: 'postmark:Bounce:692560173', statusCode: '5.1.1', detail: 'bad_mailbox' },
        diagnostic: expect.stringContaining('550 5.1.1 The email account') as unknown,
        message: { relayMessageId: '883953f4-6105-42a2-a16a-77a8eac79483' },
      },
    ]);
  });

  it('SoftBounce is soft; Blocked is ignored as policy', () => {
    expect(parsePostmarkWebhook(fixture('postmark-bounce-soft.json')).map((e) => [e.type, e.detail, e.statusCode])).toEqual([['soft_bounce', 'mailbox_full', '4.2.2']]);
    expect(parsePostmarkWebhook(fixture('postmark-bounce-blocked.json')).map((e) => [e.type, e.detail])).toEqual([['ignored', 'policy:Blocked']]);
  });

  it('a SpamComplaint record is a complaint even though the documented sample says TypeCode 512', () => {
    expect(parsePostmarkWebhook(fixture('postmark-spam-complaint.json'))).toEqual([
      expect.objectContaining({ type: 'complaint', address: 'john@example.com', eventId: 'postmark:SpamComplaint:42' }),
    ]);
  });

  it.each<[Record<string, unknown>, string, string | undefined]>([
    [{ Type: 'SpamNotification', TypeCode: 512 }, 'ignored', 'policy:SpamNotification'],
    [{ Type: 'SpamComplaint', TypeCode: 100001 }, 'complaint', undefined],
    [{ Type: 'BadEmailAddress', TypeCode: 100000 }, 'hard_bounce', 'bad_address'],
    [{ Type: 'ManuallyDeactivated', TypeCode: 100002 }, 'ignored', 'operator:ManuallyDeactivated'],
    [{ Type: 'AutoResponder', TypeCode: 64 }, 'ignored', 'autoreply:AutoResponder'],
    [{ Type: 'DnsError', TypeCode: 256 }, 'soft_bounce', 'dns'],
    // "Message delayed": Postmark is still trying (issue #20).
    [{ Type: 'Transient', TypeCode: 2 }, 'delayed', undefined],
    [{ Type: undefined, TypeCode: 1 }, 'hard_bounce', undefined],
    [{ Type: 'HardBounce', TypeCode: 1, Details: 'smtp;550 5.1.8 Sender address rejected' }, 'ignored', 'sender_side'],
    [{ Type: 'ChallengeVerification', TypeCode: 16384 }, 'ignored', 'not_feedback:ChallengeVerification'],
  ])('bounce %o → %s (%s)', (fields, type, detail) => {
    const body = { ...(fixture('postmark-bounce-hard.json') as Record<string, unknown>), Details: 'no details', ...fields };
    const [event] = parsePostmarkWebhook(body);
    expect([event?.type, event?.detail]).toEqual([type, detail]);
  });

  it('a SubscriptionChange made by the recipient is an unsubscribe; reactivations and operator suppressions are ignored', () => {
    const change = fixture('postmark-subscription-change.json') as Record<string, unknown>;
    expect(parsePostmarkWebhook(change)).toEqual([
      {
        ...{ type: 'unsubscribe', address: 'unsubscriber@example.com', at: new Date('2020-02-01T10:53:34.416Z'), provider: 'postmark' },
        eventId: 'postmark:SubscriptionChange:883953f4-6105-42a2-a16a-77a8eac79483:unsubscriber@example.com:2020-02-01T10:53:34.416071Z',
        message: { relayMessageId: '883953f4-6105-42a2-a16a-77a8eac79483' },
      },
    ]);
    const variants: [Record<string, unknown>, string, string | undefined][] = [
      [{ SuppressSending: false, SuppressionReason: null }, 'ignored', 'reactivated'],
      [{ Origin: 'Customer', MessageID: null }, 'ignored', 'operator:Customer'],
      [{ SuppressionReason: 'HardBounce' }, 'hard_bounce', 'postmark_suppression'],
      [{ SuppressionReason: 'SpamComplaint' }, 'complaint', 'postmark_suppression'],
    ];
    for (const [fields, type, detail] of variants) {
      const [event] = parsePostmarkWebhook({ ...change, ...fields });
      expect([event?.type, event?.detail]).toEqual([type, detail]);
    }
  });

  it('a Delivery is delivered; an Open is ignored', () => {
    expect(parsePostmarkWebhook(fixture('postmark-delivery.json'))).toEqual([
      expect.objectContaining({ type: 'delivered', address: 'reader@example.com', eventId: 'postmark:Delivery:a94dfe84-8ab9-43cf-8a1c-ac234c296e25:reader@example.com' }),
    ]);
    const open = { RecordType: 'Open', MessageID: 'm-1', Recipient: 'reader@example.com', ReceivedAt: '2024-01-15T12:00:00Z' };
    expect(parsePostmarkWebhook(open)).toEqual([expect.objectContaining({ type: 'ignored', detail: 'engagement:Open', at: new Date('2024-01-15T12:00:00Z') })]);
  });

  // Issue #20: a 4xx loses the event, so nothing is refused any more (feedback-providers-relays.test.ts).
  it('reads a bounce without Email as nobody to act on, one without BouncedAt as received now, and keeps a non-object raw', () => {
    const body = fixture('postmark-bounce-hard.json') as Record<string, unknown>;
    const receivedAt = new Date('2024-02-01T00:00:00Z');
    expect(parsePostmarkWebhook({ ...body, Email: undefined }, receivedAt)).toEqual([expect.objectContaining({ type: 'ignored', detail: 'no_address:HardBounce', address: undefined })]);
    expect(parsePostmarkWebhook({ ...body, BouncedAt: 'yesterday' }, receivedAt)).toEqual([expect.objectContaining({ type: 'hard_bounce', at: receivedAt })]);
    expect(parsePostmarkWebhook('not an object', receivedAt)).toEqual([expect.objectContaining({ type: 'ignored', detail: 'unreadable:not a JSON object', raw: '"not an object"' })]);
  });
});

describe('SendGrid event webhook', () => {
  const events = parseSendgridEvents(fixture('sendgrid-events.json'));

  it('maps each documented event type', () => {
    expect(events.map((e) => [e.address, e.type, e.detail])).toEqual([
      ['gone@example.org', 'hard_bounce', 'bad_mailbox'],
      ['blocked@example.net', 'ignored', 'policy:blocked'],
      ['complainer@example.com', 'complaint', undefined],
      ['leaver@example.com', 'unsubscribe', undefined],
      ['groupleaver@example.com', 'unsubscribe', 'asm_group:10'],
      ['reader@example.com', 'delivered', undefined],
      ['reader@example.com', 'ignored', 'engagement:open'],
      ['suppressed@example.org', 'ignored', 'dropped:Bounced Address'],
      ['slow@example.net', 'delayed', undefined],
      ['reader@example.com', 'ignored', 'engagement:processed'],
    ]);
  });

  it('keeps the event id, the status, the reason and the message refs', () => {
    expect(events[0]).toEqual({
      ...{ type: 'hard_bounce', address: 'gone@example.org', at: new Date(1705312800 * 1000), provider: 'sendgrid' },
      ...{ eventId: 'Ym91bmNlLTAtMjQ1NjgzNi1hYmNkZWYx', statusCode: '5.1.1' },
      diagnostic: '550 5.1.1 The email account that you tried to reach does not exist.',
      detail: 'bad_mailbox',
      message: { relayMessageId: '14c5d75ce93', headerMessageId: OUR_HEADER_ID, messageId: OUR_ID },
    });
  });

  it('a bounce with a sender-side status is ignored, not hard', () => {
    const [event] = parseSendgridEvents([{ email: 'a@example.org', event: 'bounce', type: 'bounce', timestamp: 1, sg_event_id: 'x', status: '5.1.8', reason: '553 5.1.8 sender domain does not exist' }]);
    expect([event?.type, event?.detail]).toEqual(['ignored', 'sender_side']);
  });

  // Issue #20: a lone event is read as a batch of one; an event without email names nobody to act on.
  it('reads a lone event object, and an event without email as nobody to act on', () => {
    expect(parseSendgridEvents({ email: 'a@example.org', event: 'bounce', timestamp: 1 }).map((e) => [e.type, e.address])).toEqual([['hard_bounce', 'a@example.org']]);
    expect(parseSendgridEvents([{ event: 'bounce', timestamp: 1, sg_event_id: 'x' }])).toEqual([expect.objectContaining({ type: 'ignored', detail: 'no_address:bounce', eventId: 'x' })]);
  });
});

describe('Mailgun webhooks', () => {
  it('a permanent failure is a hard bounce with the delivery status', () => {
    expect(parseMailgunWebhook(fixture('mailgun-failed-permanent.json'))).toEqual([
      {
        ...{ type: 'hard_bounce', address: 'alice@example.com', at: new Date(1705312801818), provider: 'mailgun' },
        ...{ eventId: 'G9Bn5sl1TC6nu79C8C0bwg', statusCode: '5.1.1' },
        diagnostic: expect.stringMatching(/^5\.1\.1 The email account that you tried to reach does not exist/) as unknown,
        detail: 'bad_mailbox',
        message: { relayMessageId: 'AgEFp0fZ', headerMessageId: OUR_HEADER_ID, messageId: OUR_ID },
      },
    ]);
  });

  it('a temporary failure is delayed (Mailgun retries); suppress-bounce is hard', () => {
    expect(parseMailgunWebhook(fixture('mailgun-failed-temporary.json')).map((e) => [e.type, e.detail, e.statusCode])).toEqual([['delayed', undefined, '4.2.2']]);
    expect(parseMailgunWebhook(fixture('mailgun-failed-suppress-bounce.json')).map((e) => [e.type, e.detail, e.address])).toEqual([['hard_bounce', 'suppress-bounce', 'gone@example.org']]);
  });

  it('a permanent failure with a policy code is ignored', () => {
    const body = clone(fixture('mailgun-failed-permanent.json')) as { 'event-data': { 'delivery-status': Record<string, unknown> } };
    Object.assign(body['event-data']['delivery-status'], { code: 554, 'enhanced-code': '5.7.1', message: '5.7.1 Message rejected due to spam content' });
    expect(parseMailgunWebhook(body).map((e) => [e.type, e.detail])).toEqual([['ignored', 'policy']]);
  });

  it.each([
    ['mailgun-complained.json', 'complaint', 'complainer@example.com'],
    ['mailgun-unsubscribed.json', 'unsubscribe', 'leaver@example.com'],
    ['mailgun-delivered.json', 'delivered', 'reader@example.com'],
  ])('%s → %s', (name, type, address) => {
    expect(parseMailgunWebhook(fixture(name))).toEqual([expect.objectContaining({ type, address, provider: 'mailgun' })]);
  });

  it('ignores events it does not act on', () => {
    const body = clone(fixture('mailgun-delivered.json')) as { 'event-data': Record<string, unknown> };
    body['event-data'].event = 'opened';
    expect(parseMailgunWebhook(body)).toEqual([expect.objectContaining({ type: 'ignored', detail: 'engagement:opened' })]);
    body['event-data'].event = 'list_member_uploaded';
    expect(parseMailgunWebhook(body)).toEqual([expect.objectContaining({ type: 'ignored', detail: 'unknown_event:list_member_uploaded' })]);
  });

  // Issue #20: kept raw, or counted as nobody to act on, instead of refused.
  it('keeps a body without event-data raw, and reads a failure without recipient as nobody to act on', () => {
    expect(parseMailgunWebhook({ signature: {} })).toEqual([expect.objectContaining({ type: 'ignored', detail: 'unreadable:no event-data object', raw: '{"signature":{}}' })]);
    const body = clone(fixture('mailgun-failed-permanent.json')) as { 'event-data': Record<string, unknown> };
    delete body['event-data'].recipient;
    expect(parseMailgunWebhook(body)).toEqual([expect.objectContaining({ type: 'ignored', detail: 'no_address:failed', address: undefined })]);
  });
});
