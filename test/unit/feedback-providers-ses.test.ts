import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tryNormalizeAddress } from '../../src/addresses/index.ts';
import { RAW_LIMIT, ignoredReason, type FeedbackEvent } from '../../src/feedback/feedback-event.ts';
import { parseSesNotification } from '../../src/feedback/providers/ses-events.ts';

// Amazon SES through SNS, read tolerantly (issue #20): every SES sample the relays document gives
// its expected verdict, and no input at all makes the parser throw.
const RELAYS = new URL('../fixtures/relays/', import.meta.url);

interface Sample {
  file: string;
  vendor: string;
  layer: string;
  expect: { verdict: string; addresses: string[]; scope?: 'all'; byAddress?: Record<string, string> };
}
const samples = (JSON.parse(readFileSync(new URL('index.json', RELAYS), 'utf8')) as Sample[]).filter((s) => s.vendor === 'ses');
const sampleText = (file: string) => readFileSync(new URL(file, RELAYS), 'utf8');
const sample = (file: string) => JSON.parse(sampleText(file)) as Record<string, unknown>;
const clone = <T>(value: T): T => structuredClone(value);

const normalized = (address: string | undefined) => {
  const n = tryNormalizeAddress(address);
  return n.ok ? n.address : `(not an address: ${String(address)})`;
};
const addressesOf = (events: FeedbackEvent[]) => [...new Set(events.filter((e) => e.address !== undefined).map((e) => normalized(e.address)))].sort();
const summary = (events: FeedbackEvent[]) => events.map((e) => [e.type, e.address, e.detail]);
const isUnreadable = (e: FeedbackEvent) => e.raw !== undefined;

/** Every reason an SES event may be counted under (ses-context.ts, plus classify.ts's policy and sender-side). */
const REASONS = new Set([
  'sns_control', 'topic_validated', 'not_ses_event', 'not_feedback', 'engagement', 'rejected', 'rendering_failure', 'unknown_event',
  'undetermined', 'message_size', 'content_rejected', 'attachment_rejected', 'not_spam', 'no_opt_out', 'policy', 'sender_side', 'unreadable',
]);

describe('the SES samples in test/fixtures/relays (index.json)', () => {
  it('holds the 32 samples of the three SES layers', () => {
    expect(samples).toHaveLength(32);
    expect(new Set(samples.map((s) => s.layer))).toEqual(new Set(['ses-notification', 'ses-event', 'sns-envelope']));
  });

  it.each(samples.map((s) => [s.file, s] as const))('%s gives its expected verdict and addresses', (_file, s) => {
    const events = parseSesNotification(sampleText(s.file));
    expect(events.length).toBeGreaterThan(0);
    // Every sample can be read: nothing is left for the operator to look at by hand.
    expect(events.filter(isUnreadable)).toEqual([]);
    if (s.expect.byAddress) {
      // `addresses` are those given the verdict; the others have theirs in byAddress.
      expect(addressesOf(events.filter((e) => e.type === s.expect.verdict))).toEqual([...s.expect.addresses].sort());
      expect(Object.fromEntries(events.map((e) => [normalized(e.address), e.type]))).toEqual(s.expect.byAddress);
    } else {
      expect(addressesOf(events)).toEqual([...s.expect.addresses].sort());
      expect(new Set(events.map((e) => e.type))).toEqual(new Set([s.expect.verdict]));
    }
    if (s.expect.scope === 'all') expect(events.map((e) => [e.scope, e.subscriptionType])).toEqual([['all', undefined]]);
    for (const e of events.filter((x) => x.type === 'ignored')) expect(REASONS, e.detail).toContain(ignoredReason(e.detail));
    for (const e of events) expect(e.provider).toBe('ses');
  });

  it.each(samples.filter((s) => s.layer !== 'sns-envelope').map((s) => [s.file, s.file] as const))('%s reads the same as text, as a value and inside an SNS envelope', (_file, file) => {
    const text = sampleText(file);
    const published = '2024-01-15T10:00:03.000Z';
    const envelope = { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses', Message: text, Timestamp: published };
    // The envelope's Timestamp dates what carries no time, as the route's `at` does.
    const fromText = parseSesNotification(text, { at: new Date(published) });
    expect(parseSesNotification(envelope)).toEqual(fromText);
    expect(summary(parseSesNotification(JSON.parse(text)))).toEqual(summary(fromText));
  });
});

describe('SES: addresses', () => {
  const withRecipient = (emailAddress: string) => {
    const n = clone(sample('ses/event-bounce.json')) as { bounce: { bouncedRecipients: { emailAddress: string }[] } };
    n.bounce.bouncedRecipients[0]!.emailAddress = emailAddress;
    return parseSesNotification(n);
  };

  it.each([
    'John <john@example.com>',
    '"Doe, John" <john@example.com>',
    '"John <the one>" <john@example.com>',
    '  john@example.com  ',
    '<john@example.com>',
  ])('reads %j as john@example.com', (written) => {
    const [event, ...rest] = withRecipient(written);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'hard_bounce', address: 'john@example.com', eventId: expect.stringMatching(/:john@example\.com$/) as unknown });
  });

  it.each([
    ['an unclosed bracket', 'John <john@example.com'],
    ['no address', 'not an address'],
    ['two @', 'a@b@c.example'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['2 KB of local part', `${'x'.repeat(2000)}@example.com`],
  ])('keeps a recipient with %s raw instead of guessing an address', (_what, written) => {
    expect(summary(withRecipient(written))).toEqual([['ignored', undefined, 'unreadable:bounced_recipients']]);
  });

  it('acts on the recipients it can read and keeps the notification once for the ones it cannot', () => {
    const n = clone(sample('ses/bounce-permanent-no-dsn.json')) as { bounce: { bouncedRecipients: unknown[] } };
    n.bounce.bouncedRecipients.push({ emailAddress: 42 }, null, 'x');
    const events = parseSesNotification(n);
    expect(summary(events.filter((e) => !isUnreadable(e)))).toEqual([
      ['hard_bounce', 'jane@example.com', 'General'],
      ['hard_bounce', 'richard@example.com', 'General'],
    ]);
    expect(events.filter(isUnreadable).map((e) => e.detail)).toEqual(['unreadable:bounced_recipients:3_unreadable']);
  });

  it('a complaint whose recipients cannot be read is kept raw; one naming them as plain strings is read', () => {
    const n = clone(sample('ses/complaint-without-feedback-report.json')) as { complaint: Record<string, unknown> };
    delete n.complaint.complainedRecipients;
    expect(summary(parseSesNotification(n))).toEqual([['ignored', undefined, 'unreadable:complained_recipients']]);
    n.complaint.complainedRecipients = ['Richard <richard@example.com>'];
    expect(summary(parseSesNotification(n))).toEqual([['complaint', 'richard@example.com', undefined]]);
  });
});

describe('SES: tolerant reading', () => {
  it('ignores fields it does not use, whatever their shape', () => {
    const plain = sample('ses/event-bounce.json');
    const odd = clone(plain) as { mail: Record<string, unknown>; bounce: Record<string, unknown> } & Record<string, unknown>;
    Object.assign(odd.mail, { tags: 5, headersTruncated: 'no', source: ['x'], sourceIp: null, destination: 'not a list' });
    Object.assign(odd.bounce, { reportingMTA: { what: true }, remoteMtaIp: [], newField: 'SES added it' });
    odd.somethingNew = { nested: [1, 2] };
    expect(parseSesNotification(odd)).toEqual(parseSesNotification(plain));
  });

  it('reads a used optional field of another type as absent, and still follows SES’s verdict', () => {
    const n = clone(sample('ses/event-bounce.json')) as { bounce: { bouncedRecipients: Record<string, unknown>[] } };
    Object.assign(n.bounce.bouncedRecipients[0]!, { status: 551, diagnosticCode: { text: '550 5.1.1' }, action: false });
    const [event] = parseSesNotification(n);
    expect(event).toMatchObject({ type: 'hard_bounce', address: 'recipient@example.com' });
    expect(event).not.toHaveProperty('statusCode');
    expect(event).not.toHaveProperty('diagnostic');
  });

  it('derives an event id without feedbackId or timestamps from what SES sends again on a retry', () => {
    const minimal = sampleText('ses/bounce-multiple-minimal.json');
    const first = parseSesNotification(minimal, { at: new Date('2024-01-01T00:00:00Z') });
    const retry = parseSesNotification(minimal, { at: new Date('2024-01-01T00:05:00Z') });
    expect(first.map((e) => e.eventId)).toEqual(retry.map((e) => e.eventId));
    expect(first.map((e) => e.eventId)).toEqual([
      '00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000:bounce:jane@example.com',
      '00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000:bounce:richard@example.com',
    ]);
    // With nothing else to date it, the event is as old as SNS says (the signed envelope Timestamp).
    expect(first[0]!.at).toEqual(new Date('2024-01-01T00:00:00Z'));
  });

  it('without a feedbackId, the bounce time tells two bounces of one message apart', () => {
    const n = clone(sample('ses/bounce-permanent-no-dsn.json')) as { bounce: Record<string, unknown> };
    delete n.bounce.feedbackId;
    const first = parseSesNotification(n)[0]!.eventId;
    n.bounce.timestamp = '2016-01-28T09:00:00.000Z';
    const second = parseSesNotification(n)[0]!.eventId;
    expect(first).toBe('00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000:bounce:jane@example.com:2016-01-27T14:59:38.237Z');
    expect(second).not.toBe(first);
  });

  it('reads the "2018-10-08T14:05:45 +0000" time of one SES example', () => {
    const n = clone(sample('ses/bounce-mixed-failed-and-delayed.json')) as { bounce: Record<string, unknown> };
    delete n.bounce.timestamp;
    expect(parseSesNotification(n)[0]!.at).toEqual(new Date('2018-10-08T14:05:45Z'));
  });

  const garbage: [string, unknown][] = [
    ['0', 0], ['NaN', Number.NaN], ['an array', [1, 'two', null]], ['null', null], ['undefined', undefined], ['true', true],
    ['an empty string', ''], ['"null"', 'null'], ['"[]"', '[]'], ['"42"', '42'], ['half a JSON object', '{"notificationType": "Bounce", '],
    ['an object without prototype', Object.create(null) as unknown], ['a BigInt inside', { notificationType: 'Bounce', bounce: { n: 1n } }],
    ['a Bounce with no bounce', { notificationType: 'Bounce' }], ['a Bounce whose bounce is a list', { notificationType: 'Bounce', bounce: [] }],
    ['recipients that are a string', { notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: 'a@b.example' } }],
    ['a numeric notificationType', { notificationType: 5, bounce: {} }], ['an envelope whose Message is a number', { Type: 'Notification', Message: 5 }],
    ['an envelope whose Type is odd', { Type: 'Surprise', Message: '{}' }], ['a Delivery with no recipients', { eventType: 'Delivery', delivery: { recipients: [] } }],
    ['a DeliveryDelay of nulls', { eventType: 'DeliveryDelay', deliveryDelay: { delayedRecipients: [null, null] } }],
    ['a Subscription without preferences', { eventType: 'Subscription', mail: { destination: ['a@b.example'] }, subscription: {} }],
    ['a Subscription with no destination', { eventType: 'Subscription', subscription: { newTopicPreferences: { unsubscribeAll: true } } }],
  ];
  it.each(garbage)('never throws on %s: it answers with ignored events only', (_what, input) => {
    const events = parseSesNotification(input);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.type).toBe('ignored');
      expect(REASONS).toContain(ignoredReason(e.detail));
      if (isUnreadable(e)) expect(e.raw!.length).toBeLessThanOrEqual(RAW_LIMIT);
    }
  });

  it('never throws on a circular object', () => {
    const circular: Record<string, unknown> = { notificationType: 'Complaint' };
    circular.complaint = circular;
    expect(summary(parseSesNotification(circular))).toEqual([['ignored', undefined, 'unreadable:complained_recipients']]);
  });
});

describe('SES: verdicts', () => {
  const bounce = (bounceType: string, bounceSubType: string | undefined, recipient: Record<string, unknown>) => {
    const n = clone(sample('ses/event-bounce.json')) as { bounce: Record<string, unknown> };
    Object.assign(n.bounce, { bounceType, bounceSubType, bouncedRecipients: [{ emailAddress: 'r@example.net', ...recipient }] });
    return summary(parseSesNotification(n)).map(([type, , detail]) => [type, detail]);
  };

  it.each([
    ['Permanent', 'General', {}, 'hard_bounce', 'General'],
    ['Permanent', 'NoEmail', { status: '5.1.1' }, 'hard_bounce', 'bad_mailbox'],
    ['Permanent', 'General', { status: '5.7.1', diagnosticCode: 'smtp; 550 5.7.1 rejected by DMARC policy' }, 'ignored', 'policy'],
    ['Permanent', 'General', { status: '5.1.8', diagnosticCode: 'smtp; 553 5.1.8 sender address rejected' }, 'ignored', 'sender_side'],
    ['Permanent', 'General', { action: 'delayed', status: '4.4.7' }, 'delayed', undefined],
    ['Permanent', 'Suppressed', { status: '5.7.1', diagnosticCode: 'Amazon SES has suppressed sending to this address' }, 'hard_bounce', 'Suppressed'],
    ['Permanent', 'OnAccountSuppressionList', {}, 'hard_bounce', 'OnAccountSuppressionList'],
    ['Transient', 'General', {}, 'soft_bounce', 'General'],
    ['Transient', 'MailboxFull', { status: '5.2.2' }, 'soft_bounce', 'mailbox_full'],
    ['Transient', 'General', { status: '5.7.1', diagnosticCode: 'smtp; 550 5.7.1 DMARC policy' }, 'ignored', 'policy'],
    ['Transient', 'MessageTooLarge', {}, 'ignored', 'message_size'],
    ['Transient', 'ContentRejected', {}, 'ignored', 'content_rejected'],
    ['Transient', 'AttachmentRejected', {}, 'ignored', 'attachment_rejected'],
    ['Undetermined', 'Undetermined', { status: '5.1.1' }, 'ignored', 'undetermined'],
    ['SomethingNew', undefined, {}, 'ignored', 'undetermined:SomethingNew'],
  ] as const)('%s/%s %j → %s (%s)', (bounceType, subType, recipient, type, detail) => {
    expect(bounce(bounceType, subType, recipient)).toEqual([[type, detail]]);
  });

  it('classifies a multi-line diagnostic whole, and stores it as one line', () => {
    // Past the 500 characters a stored diagnostic keeps, Gmail's text names the policy block.
    const diagnosticCode = `smtp; 550-5.0.0 ${'The message was not accepted. '.repeat(20)}\n550 5.7.26 Unauthenticated email is not accepted due to DMARC policy`;
    const n = clone(sample('ses/event-bounce.json')) as { bounce: Record<string, unknown> };
    n.bounce.bouncedRecipients = [{ emailAddress: 'r@example.net', action: 'failed', status: '5.0.0', diagnosticCode }];
    const [event] = parseSesNotification(n);
    expect(event).toMatchObject({ type: 'ignored', detail: 'policy' });
    expect(event!.diagnostic).not.toContain('\n');
    expect(event!.diagnostic!.length).toBeLessThanOrEqual(500);
  });

  it('a DeliveryDelay is one delayed event per delayed recipient, with its status', () => {
    const n = clone(sample('ses/event-delivery-delay.json')) as { deliveryDelay: { delayedRecipients: unknown[] } };
    n.deliveryDelay.delayedRecipients.push({ emailAddress: 'Other <other@example.com>' });
    const events = parseSesNotification(n);
    expect(events.map((e) => [e.type, e.address, e.statusCode, e.diagnostic, e.detail])).toEqual([
      ['delayed', 'recipient@example.com', '4.4.1', 'smtp; 421 4.4.1 Unable to connect to remote host', 'TransientCommunicationFailure'],
      ['delayed', 'other@example.com', undefined, undefined, 'TransientCommunicationFailure'],
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it('names the message by our Message-ID even when commonHeaders carries SES’s own id', () => {
    const n = clone(sample('ses/event-bounce.json')) as { mail: { headers: { name: string; value: string }[] } };
    n.mail.headers.push({ name: 'Message-ID', value: '<65a1b2c3d4e5f60718293a4b.0123456789abcdef@mail.example.com>' });
    expect(parseSesNotification(n)[0]!.message).toEqual({
      relayMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      headerMessageId: '65a1b2c3d4e5f60718293a4b.0123456789abcdef@mail.example.com',
      messageId: '65a1b2c3d4e5f60718293a4b',
    });
  });
});

describe('SES: subscription events (list management)', () => {
  type Prefs = { unsubscribeAll?: unknown; topicSubscriptionStatus?: unknown[] };
  const subscription = (after: Prefs, before: Prefs, destination: string[] = ['recipient@example.com']) => {
    const n = clone(sample('ses/event-subscription.json')) as { mail: { destination: string[] }; subscription: Record<string, unknown> };
    Object.assign(n.subscription, { newTopicPreferences: after, oldTopicPreferences: before });
    n.mail.destination = destination;
    return parseSesNotification(n);
  };
  const topic = (topicName: string, subscriptionStatus: string) => ({ topicName, subscriptionStatus });

  it('a topic that became OptOut unsubscribes from a type of that name (ApplyFeedback opts out of all when none has it)', () => {
    const events = subscription({ unsubscribeAll: false, topicSubscriptionStatus: [topic('newsletter', 'OptOut'), topic('offers', 'OptOut')] }, { unsubscribeAll: false, topicSubscriptionStatus: [topic('newsletter', 'OptIn'), topic('offers', 'OptOut')] });
    expect(events.map((e) => [e.type, e.address, e.subscriptionType])).toEqual([['unsubscribe', 'recipient@example.com', 'newsletter']]);
  });

  it('reads the API spelling OPT_OUT too; unsubscribeAll wins over topics', () => {
    expect(subscription({ topicSubscriptionStatus: [topic('offers', 'OPT_OUT')] }, {}).map((e) => e.subscriptionType)).toEqual(['offers']);
    expect(subscription({ unsubscribeAll: true, topicSubscriptionStatus: [topic('offers', 'OPT_OUT')] }, {}).map((e) => [e.scope, e.subscriptionType])).toEqual([['all', undefined]]);
  });

  it('an opt-in, or no change, unsubscribes nobody', () => {
    expect(summary(subscription({ unsubscribeAll: false, topicSubscriptionStatus: [topic('offers', 'OptIn')] }, { unsubscribeAll: true }))).toEqual([['ignored', 'recipient@example.com', 'no_opt_out']]);
    expect(summary(subscription({ topicSubscriptionStatus: [topic('offers', 'OptOut')] }, { topicSubscriptionStatus: [topic('offers', 'OptOut')] }))).toEqual([['ignored', 'recipient@example.com', 'no_opt_out']]);
  });

  it('with several recipients on the message, whose choice it was cannot be told: kept raw, nobody unsubscribed', () => {
    expect(summary(subscription({ unsubscribeAll: true }, {}, ['a@example.com', 'b@example.com']))).toEqual([['ignored', undefined, 'unreadable:subscription_recipient']]);
  });
});

describe('SES: the SNS layer', () => {
  it('the topic-validated test message is ignored; any other text that is not JSON is kept raw', () => {
    expect(summary(parseSesNotification('Successfully validated SNS topic for Amazon SES event publishing.'))).toEqual([['ignored', undefined, 'topic_validated']]);
    const [other] = parseSesNotification('Hello from somewhere else');
    expect(other).toMatchObject({ type: 'ignored', detail: 'unreadable:not_json', raw: 'Hello from somewhere else' });
  });

  it('JSON that is not an SES notification is ignored as not_ses_event; inbound mail as not_feedback', () => {
    expect(summary(parseSesNotification('{"AlarmName":"budget","NewStateValue":"ALARM"}'))).toEqual([['ignored', undefined, 'not_ses_event']]);
    expect(summary(parseSesNotification(sampleText('ses/received-sns-action.json')))).toEqual([['ignored', undefined, 'not_feedback:Received']]);
  });

  it('an envelope is opened once: an envelope inside a Message is not an SES notification', () => {
    const inner = sampleText('ses/sns-topic-validated.json');
    expect(summary(parseSesNotification({ Type: 'Notification', Message: inner }))).toEqual([['ignored', undefined, 'not_ses_event']]);
  });
});
