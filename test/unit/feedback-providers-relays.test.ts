import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEEDBACK_TYPES, RAW_LIMIT, ignoredReason, type FeedbackEvent } from '../../src/feedback/feedback-event.ts';
import { parseMailgunWebhook } from '../../src/feedback/providers/mailgun-events.ts';
import { parsePostmarkWebhook } from '../../src/feedback/providers/postmark-events.ts';
import { IGNORED_REASONS, recipientAddress } from '../../src/feedback/providers/relay-fields.ts';
import { parseSendgridEvents } from '../../src/feedback/providers/sendgrid-events.ts';

// The relays' own documented and captured samples (test/fixtures/relays, issue #20), each read by
// its parser to the verdict index.json expects; then the same parsers fed what no relay documents.
interface Sample {
  file: string;
  vendor: string;
  layer: string;
  expect: { verdict: string; addresses: string[]; perEvent?: string[]; scope?: 'all' };
}

const RELAYS = new URL('../fixtures/relays/', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, RELAYS), 'utf8')) as unknown;
const samples = (JSON.parse(readFileSync(new URL('index.json', RELAYS), 'utf8')) as Sample[]).filter((s) => ['postmark', 'sendgrid', 'mailgun'].includes(s.vendor));
const TOKEN = 'f3a9c1d2e4b5a6978877665544332211ffeeddccbbaa998877';
const RECEIVED_AT = new Date('2026-12-06T12:00:00Z');

/** A sample as its relay posts it (index.json `layer`), through its parser. */
function parseSample(sample: Sample, token = TOKEN): FeedbackEvent[] {
  const body = read(sample.file);
  switch (sample.layer) {
    case 'postmark':
      return parsePostmarkWebhook(body, RECEIVED_AT);
    case 'sendgrid-batch':
      return parseSendgridEvents(body, RECEIVED_AT);
    case 'sendgrid-event':
      return parseSendgridEvents([body], RECEIVED_AT);
    case 'mailgun-body':
      return parseMailgunWebhook(body, { token, receivedAt: RECEIVED_AT });
    case 'mailgun-event-data':
      return parseMailgunWebhook({ signature: { timestamp: '1', token, signature: 'x' }, 'event-data': body }, { token, receivedAt: RECEIVED_AT });
    default:
      throw new Error(`unknown layer ${sample.layer}`);
  }
}

/**
 * SendGrid `unsubscribe` events whose index entry leaves `scope` out, although SendGrid's
 * `unsubscribe` is "opt out of all emails" wherever the sample comes from (docs-unsubscribe.json,
 * from the same docs, says `scope: "all"`): read as all marketing.
 */
const SCOPE_ALL_BEYOND_INDEX = new Set(['sendgrid/event-unsubscribe-no-smtp-id.json', 'sendgrid/event-legacy-newsletter-unsubscribe.json']);

const ALLOWED_REASONS: string[] = [...IGNORED_REASONS, 'unreadable'];

/** What every event must look like, whatever the parser was given. */
function expectWellFormed(events: FeedbackEvent[]): void {
  expect(Array.isArray(events)).toBe(true);
  for (const e of events) {
    expect(FEEDBACK_TYPES).toContain(e.type);
    expect(e.at).toBeInstanceOf(Date);
    expect(Number.isFinite(e.at.getTime())).toBe(true);
    expect(typeof e.eventId).toBe('string');
    expect(e.eventId.length).toBeGreaterThan(0);
    expect(e.eventId.length).toBeLessThanOrEqual(700);
    if (e.address !== undefined) expect(e.address.length).toBeLessThanOrEqual(1024);
    if (e.type === 'ignored') expect(ALLOWED_REASONS).toContain(ignoredReason(e.detail));
    if (e.raw !== undefined) expect(e.raw.length).toBeLessThanOrEqual(RAW_LIMIT);
    expect(e.diagnostic?.length ?? 0).toBeLessThanOrEqual(500);
    expect(e.detail?.length ?? 0).toBeLessThanOrEqual(200);
  }
}

describe('the relays’ samples (test/fixtures/relays/index.json)', () => {
  it('holds the 84 Postmark, SendGrid and Mailgun samples', () => {
    const count = (vendor: string) => samples.filter((s) => s.vendor === vendor).length;
    expect([count('postmark'), count('sendgrid'), count('mailgun')]).toEqual([28, 30, 26]);
  });

  it.each(samples.map((s) => [s.file, s.expect.verdict, s] as const))('%s → %s', (_file, _verdict, sample) => {
    const events = parseSample(sample);
    expectWellFormed(events);
    expect(events.map((e) => e.type)).toEqual(sample.expect.perEvent ?? [sample.expect.verdict]);
    const addresses = [...new Set(events.flatMap((e) => (e.address === undefined ? [] : [e.address.toLowerCase()])))].sort();
    expect(addresses).toEqual([...sample.expect.addresses].sort());
    // Every sample is readable: nothing kept raw, and one id per event.
    expect(events.filter((e) => e.raw !== undefined)).toEqual([]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    if (sample.expect.perEvent === undefined && sample.expect.verdict === 'unsubscribe') {
      expect(events[0]?.scope).toBe(SCOPE_ALL_BEYOND_INDEX.has(sample.file) ? 'all' : sample.expect.scope);
    }
  });

  it('the SendGrid reference batch keeps its 11 events apart although they share one sg_event_id', () => {
    const sample = samples.find((s) => s.file === 'sendgrid/docs-reference-batch.json')!;
    const events = parseSample(sample);
    expect(events).toHaveLength(11);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(11);
    expect(events.map((e) => e.eventId)).toEqual(parseSample(sample).map((e) => e.eventId)); // the same body again: the same keys
    expect(events[5]?.eventId).toBe('sg_event_id:bounce:example@test.com:1513299569');
    // `unsubscribe` is all mail; `group_unsubscribe` is that message's type.
    expect([events[8]?.scope, events[9]?.scope]).toEqual(['all', undefined]);
  });

  it('reads the Mailgun multi-line Gmail reply whole, and keeps it as one line', () => {
    const [event] = parseSample(samples.find((s) => s.file === 'mailgun/derived-failed-permanent-gmail-four-lines.json')!);
    expect(event).toMatchObject({ type: 'hard_bounce', statusCode: '5.1.1', detail: 'bad_mailbox', address: 'invalid@example.com' });
    expect(event?.diagnostic).toMatch(/^5\.1\.1 The email account .* - gsmtp$/);
    expect(event?.diagnostic).not.toContain('\n');
  });

  it('keeps Outlook’s 550 5.5.0 "mailbox unavailable" under Mailgun permanent/bounce a hard bounce', () => {
    const [event] = parseSample(samples.find((s) => s.file === 'mailgun/derived-failed-permanent-outlook-5.5.0.json')!);
    expect(event).toMatchObject({ type: 'hard_bounce', statusCode: '5.5.0', address: 'gone@hotmail.com' });
  });
});

describe('Mailgun', () => {
  const eventData = (fields: Record<string, unknown>) => ({ signature: { timestamp: '1', token: TOKEN, signature: 'x' }, 'event-data': { event: 'failed', recipient: 'r@example.com', timestamp: 1700000000, ...fields } });
  const one = (fields: Record<string, unknown>, token = TOKEN) => parseMailgunWebhook(eventData(fields), { token, receivedAt: RECEIVED_AT })[0]!;

  it('keys an event without id on the signature token: the same delivery, the same key; a fresh token, a new key', () => {
    const first = one({ severity: 'permanent', reason: 'bounce' });
    expect(first.eventId).toBe(`token:${TOKEN}`);
    expect(one({ severity: 'permanent', reason: 'bounce' }).eventId).toBe(first.eventId);
    expect(one({ severity: 'permanent', reason: 'bounce' }, 'another-token').eventId).toBe('token:another-token');
    // Mailgun's own id wins when there is one.
    expect(one({ id: 'mg-event-1', severity: 'permanent' }).eventId).toBe('mg-event-1');
    // Neither: the event's fields stand in, the same each time.
    const bare = () => parseMailgunWebhook({ 'event-data': { event: 'complained', recipient: 'r@example.com', timestamp: 5 } }, { receivedAt: RECEIVED_AT })[0]!;
    expect(bare().eventId).toBe('mailgun:complained:r@example.com:5:-');
  });

  it('reads a timestamp sent as a string, and falls back to the time of receipt for one it cannot read', () => {
    expect(one({ timestamp: '1521233123.5' }).at).toEqual(new Date(1521233123500));
    expect(one({ timestamp: 'yesterday' }).at).toEqual(RECEIVED_AT);
    expect(one({ timestamp: 1e300 }).at).toEqual(RECEIVED_AT);
  });

  it.each<[Record<string, unknown>, string, string | undefined]>([
    [{ severity: 'temporary', reason: 'generic' }, 'delayed', undefined],
    [{ severity: 'permanent', reason: 'old' }, 'soft_bounce', 'old'],
    [{ severity: 'permanent', reason: 'suppress-bounce' }, 'hard_bounce', 'suppress-bounce'],
    [{ severity: 'permanent', reason: 'suppress-complaint' }, 'complaint', 'suppress-complaint'],
    [{ severity: 'permanent', reason: 'suppress-unsubscribe' }, 'unsubscribe', 'suppress-unsubscribe'],
    [{ severity: 'permanent', reason: 'espblock' }, 'ignored', 'policy:espblock'],
    [{ severity: 'permanent', reason: 'hardfail' }, 'hard_bounce', undefined],
    // No severity: Mailgun has not said the failure is final.
    [{ reason: 'bounce', 'delivery-status': { code: 550, message: '5.1.1 no such user' } }, 'delayed', undefined],
    [{ severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 554, message: '5.7.1 Message rejected as spam' } }, 'ignored', 'policy'],
  ])('failed %o → %s (%s)', (fields, type, detail) => {
    const event = one(fields);
    expect([event.type, event.detail]).toEqual([type, detail]);
  });

  it('a temporary failure is delayed, with the reply kept', () => {
    const event = one({ severity: 'temporary', 'delivery-status': { code: 452, 'enhanced-code': '4.2.2', message: '4.2.2 over quota\n4.2.2 try later' } });
    expect(event).toMatchObject({ type: 'delayed', statusCode: '4.2.2', diagnostic: '4.2.2 over quota 4.2.2 try later' });
  });

  it('reads the whole reply: a policy code past the first 500 characters still marks a block of our mail', () => {
    const message = `Your message could not be delivered. ${'This line explains nothing in particular. '.repeat(15)}\n550-5.7.1 [203.0.113.9] Our system has detected that this message is likely unsolicited mail.`;
    expect(message.indexOf('5.7.1')).toBeGreaterThan(500);
    const event = one({ severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550, message } });
    expect([event.type, event.detail, event.statusCode]).toEqual(['ignored', 'policy', '5.7.1']);
  });

  it('unsubscribed: tags ["*"] is all marketing; other tags or none, the message’s type', () => {
    expect(one({ event: 'unsubscribed', tags: ['*'], storage: [], 'user-variables': [] })).toMatchObject({ type: 'unsubscribe', scope: 'all' });
    expect(one({ event: 'unsubscribed', tags: ['newsletter'] }).scope).toBeUndefined();
    expect(one({ event: 'unsubscribed', tags: 'not-an-array' }).scope).toBeUndefined();
  });

  it('an event that would act but names no recipient is ignored as no_address', () => {
    expect(one({ recipient: undefined, severity: 'permanent' })).toMatchObject({ type: 'ignored', detail: 'no_address:failed', address: undefined });
    expect(one({ recipient: 'nobody', severity: 'permanent' })).toMatchObject({ type: 'ignored', detail: 'no_address:failed' });
  });
});

describe('SendGrid', () => {
  const bounce = { email: 'gone@example.org', event: 'bounce', type: 'bounce', timestamp: 1700000000, sg_event_id: 'sg-1', status: '5.1.1', reason: '550 5.1.1 no such user' };
  const spam = { email: 'angry@example.org', event: 'spamreport', timestamp: 1700000001, sg_event_id: 'sg-2' };

  it('reads a batch element by element: the unreadable ones are kept raw, the others stand', () => {
    const events = parseSendgridEvents([bounce, 42, { email: 'x@example.org', timestamp: 1 }, 'text', null, spam], RECEIVED_AT);
    expectWellFormed(events);
    expect(events.map((e) => [e.type, ignoredReason(e.detail)])).toEqual([
      ['hard_bounce', 'bad_mailbox'],
      ['ignored', 'unreadable'],
      ['ignored', 'unreadable'],
      ['ignored', 'unreadable'],
      ['ignored', 'unreadable'],
      ['complaint', 'unknown'],
    ]);
    expect(events.map((e) => e.raw)).toEqual([undefined, '42', '{"email":"x@example.org","timestamp":1}', '"text"', 'null', undefined]);
    expect(events[0]).toMatchObject({ address: 'gone@example.org', eventId: 'sg-1', statusCode: '5.1.1' });
  });

  it('reads a lone event object as a batch of one, and anything else as one unreadable body', () => {
    expect(parseSendgridEvents(spam, RECEIVED_AT).map((e) => e.type)).toEqual(['complaint']);
    const [event, ...rest] = parseSendgridEvents('not events', RECEIVED_AT);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'ignored', raw: '"not events"', at: RECEIVED_AT });
    expect(ignoredReason(event?.detail)).toBe('unreadable');
  });

  it('keeps events apart that repeat one sg_event_id in a body; an id that does not repeat stays as sent', () => {
    const events = parseSendgridEvents([{ ...bounce, sg_event_id: 'same' }, { ...spam, sg_event_id: 'same' }, bounce], RECEIVED_AT);
    expect(events.map((e) => e.eventId)).toEqual(['same:bounce:gone@example.org:1700000000', 'same:spamreport:angry@example.org:1700000001', 'sg-1']);
    const { sg_event_id: _dropped, ...withoutId } = bounce;
    expect(parseSendgridEvents([withoutId], RECEIVED_AT)[0]?.eventId).toBe('sendgrid:bounce:-:gone@example.org:1700000000');
  });

  it.each<[Record<string, unknown>, string, string | undefined]>([
    [{ bounce_classification: 'Reputation', status: '5.1.1' }, 'ignored', 'policy:Reputation'],
    [{ bounce_classification: 'Frequency or Volume Too High' }, 'ignored', 'policy:Frequency or Volume Too High'],
    [{ bounce_classification: 'Content' }, 'ignored', 'policy:Content'],
    [{ bounce_classification: 'Invalid Address', status: '5.0.0', reason: '550 unknown recipient' }, 'hard_bounce', 'invalid_address'],
    [{ bounce_classification: 'Technical Failure', status: '5.0.0', reason: '554 DNS lookup failed' }, 'soft_bounce', 'technical'],
    [{ bounce_classification: 'Mailbox Unavailable', status: '5.2.2', reason: '552 5.2.2 mailbox full' }, 'soft_bounce', 'mailbox_full'],
    [{ type: 'blocked', bounce_classification: 'Invalid Address' }, 'ignored', 'policy:blocked'],
    [{ type: 'expired', status: undefined, reason: 'gave up retrying' }, 'soft_bounce', 'expired'],
    [{ type: 'expired', status: '4.2.2', reason: '452 4.2.2 mailbox full' }, 'soft_bounce', 'mailbox_full'],
    [{ type: undefined, status: '5.0.0', reason: '500 unknown recipient' }, 'hard_bounce', undefined],
    [{ status: '5.7.1', reason: '550 5.7.1 rejected by DMARC policy' }, 'ignored', 'policy'],
  ])('bounce %o → %s (%s)', (fields, type, detail) => {
    const [event] = parseSendgridEvents([{ ...bounce, ...fields }], RECEIVED_AT);
    expect([event?.type, event?.detail]).toEqual([type, detail]);
  });

  it('unsubscribe covers all marketing; group_unsubscribe that message’s type', () => {
    const events = parseSendgridEvents([{ ...spam, event: 'unsubscribe' }, { ...spam, event: 'group_unsubscribe', asm_group_id: 7, sg_event_id: 'g' }], RECEIVED_AT);
    expect(events.map((e) => [e.type, e.scope, e.detail])).toEqual([
      ['unsubscribe', 'all', undefined],
      ['unsubscribe', undefined, 'asm_group:7'],
    ]);
  });
});

describe('Postmark', () => {
  const bounce = { RecordType: 'Bounce', ID: 77, Type: 'HardBounce', TypeCode: 1, Email: 'john@example.com', MessageID: 'pm-1', BouncedAt: '2024-01-01T00:00:00Z', Details: 'smtp;550 5.1.1 no such user' };
  const one = (fields: Record<string, unknown>) => parsePostmarkWebhook({ ...bounce, ...fields }, RECEIVED_AT)[0]!;

  it.each<[Record<string, unknown>, string, string | undefined]>([
    // Type and TypeCode disagree: the less destructive reading.
    [{ Type: 'HardBounce', TypeCode: 4096, Details: 'x' }, 'soft_bounce', 'temporary'],
    [{ Type: 'SoftBounce', TypeCode: 1, Details: 'x' }, 'soft_bounce', 'temporary'],
    [{ Type: 'HardBounce', TypeCode: 2 }, 'delayed', undefined],
    [{ Type: 'Unsubscribe', TypeCode: 100001 }, 'unsubscribe', 'unsubscribe_request'],
    // Postmark's own spam complaint examples say 512: not a disagreement.
    [{ Type: 'SpamComplaint', TypeCode: 512 }, 'complaint', undefined],
    [{ Type: undefined, TypeCode: 100000, Details: 'x' }, 'hard_bounce', 'bad_address'],
    [{ Type: 'Transient', TypeCode: undefined }, 'delayed', undefined],
    [{ Type: 'SomethingNew', TypeCode: 999 }, 'ignored', 'unknown_event:SomethingNew'],
    [{ Type: 'SomethingNew', TypeCode: 4096, Details: 'x' }, 'soft_bounce', 'temporary'],
    [{ Type: 'HardBounce', Details: 'smtp;550 5.7.1 Message rejected by DMARC policy' }, 'ignored', 'policy'],
    [{ Type: 'SMTPApiError', TypeCode: 100007 }, 'ignored', 'sender_side:SMTPApiError'],
    [{ Type: 'ChallengeVerification', TypeCode: 16384 }, 'ignored', 'not_feedback:ChallengeVerification'],
  ])('bounce %o → %s (%s)', (fields, type, detail) => {
    const event = one(fields);
    expect([event.type, event.detail]).toEqual([type, detail]);
  });

  it('recognises a bounce without RecordType by Type and Email', () => {
    const { RecordType: _none, ...legacy } = bounce;
    expect(parsePostmarkWebhook(legacy, RECEIVED_AT)).toEqual([expect.objectContaining({ type: 'hard_bounce', eventId: 'postmark:Bounce:77', statusCode: '5.1.1' })]);
  });

  it('keys records whose ID lost digits (past 2^53), or has none, on the message, recipient and time as well', () => {
    const text = (id: string, email: string) => `{"RecordType":"Bounce","ID":${id},"Type":"HardBounce","TypeCode":1,"Email":"${email}","MessageID":"pm-2","BouncedAt":"2024-01-01T00:00:00Z"}`;
    const a = parsePostmarkWebhook(JSON.parse(text('4323372036854775807', 'a@example.com')), RECEIVED_AT)[0]!;
    const b = parsePostmarkWebhook(JSON.parse(text('4323372036854775806', 'b@example.com')), RECEIVED_AT)[0]!;
    expect(a.eventId).not.toBe(b.eventId);
    expect(parsePostmarkWebhook(JSON.parse(text('4323372036854775807', 'a@example.com')), RECEIVED_AT)[0]!.eventId).toBe(a.eventId);
    expect(one({ ID: 'abc-77' }).eventId).toBe('postmark:Bounce:abc-77');
    expect(one({ ID: undefined }).eventId).toBe('postmark:Bounce:-:pm-1:john@example.com:2024-01-01T00:00:00Z');
  });

  it('an Unsubscribe or any bounce without an address is ignored as no_address; a bounce without a time takes the time of receipt', () => {
    expect(one({ Type: 'Unsubscribe', TypeCode: 16, Email: '' })).toMatchObject({ type: 'ignored', detail: 'no_address:Unsubscribe', address: undefined });
    expect(one({ Email: null })).toMatchObject({ type: 'ignored', detail: 'no_address:HardBounce' });
    expect(one({ BouncedAt: 'yesterday' })).toMatchObject({ type: 'hard_bounce', at: RECEIVED_AT });
  });

  it('SubscriptionChange: the reason decides; the account’s own suppression and reactivations change nothing', () => {
    const change = { RecordType: 'SubscriptionChange', MessageID: 'pm-3', Recipient: 'Jane <jane@example.com>', SuppressSending: true, SuppressionReason: 'ManualSuppression', Origin: 'Recipient', ChangedAt: '2024-01-01T00:00:00Z' };
    const read = (fields: Record<string, unknown>) => parsePostmarkWebhook({ ...change, ...fields }, RECEIVED_AT)[0]!;
    expect(read({})).toMatchObject({ type: 'unsubscribe', address: 'jane@example.com' });
    expect(read({}).scope).toBeUndefined();
    expect(read({ SuppressSending: 'true' }).type).toBe('unsubscribe');
    expect(read({ Origin: 'Customer' })).toMatchObject({ type: 'ignored', detail: 'operator:Customer' });
    expect(read({ SuppressionReason: 'HardBounce' }).type).toBe('hard_bounce');
    expect(read({ SuppressionReason: 'SpamComplaint' }).type).toBe('complaint');
    expect(read({ SuppressSending: false, SuppressionReason: null })).toMatchObject({ type: 'ignored', detail: 'reactivated' });
    const unknown = read({ SuppressSending: 'maybe' });
    expect([unknown.type, ignoredReason(unknown.detail), unknown.raw]).toEqual(['ignored', 'unreadable', expect.stringContaining('"SuppressSending":"maybe"')]);
  });

  it('a body of no known kind is kept raw; one of an unknown RecordType is counted', () => {
    const [unknownShape] = parsePostmarkWebhook({ Hello: 'world' }, RECEIVED_AT);
    expect([unknownShape?.type, ignoredReason(unknownShape?.detail), unknownShape?.raw]).toEqual(['ignored', 'unreadable', '{"Hello":"world"}']);
    expect(parsePostmarkWebhook({ RecordType: 'Futuristic', Recipient: 'a@example.com' }, RECEIVED_AT)).toEqual([
      expect.objectContaining({ type: 'ignored', detail: 'unknown_event:Futuristic', address: 'a@example.com' }),
    ]);
  });
});

describe('recipient fields', () => {
  it.each([
    ['a@example.com', 'a@example.com'],
    ['  <A@Example.com> ', 'A@Example.com'],
    ['Alice <alice@example.com>', 'alice@example.com'],
    ['"Smith, <J>" <j@example.com>', 'j@example.com'],
    ['Bob <bob@example.com', 'bob@example.com'],
    ['no address here', undefined],
    ['', undefined],
    [42, undefined],
    [`${'x'.repeat(1021)}@a.b`, undefined],
  ])('%j → %s', (value, address) => {
    expect(recipientAddress(value)).toBe(address);
  });

  it('reads stranger-sized runs of brackets in linear time', () => {
    const started = performance.now();
    for (let i = 0; i < 2000; i++) recipientAddress(`${'<'.repeat(500)}a@b${'>'.repeat(500)}`);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reduces a display name in each relay’s recipient field', () => {
    expect(parsePostmarkWebhook({ RecordType: 'SpamComplaint', ID: 1, Email: 'Ann <ann@example.com>', BouncedAt: '2024-01-01T00:00:00Z' })[0]?.address).toBe('ann@example.com');
    expect(parseSendgridEvents([{ event: 'spamreport', email: 'Ann <ann@example.com>', timestamp: 1 }])[0]?.address).toBe('ann@example.com');
    expect(parseMailgunWebhook({ 'event-data': { event: 'complained', recipient: 'Ann <ann@example.com>', timestamp: 1 } }, { token: 't' })[0]?.address).toBe('ann@example.com');
  });
});

describe('hostile and garbage input never throws', () => {
  const parsers: [string, (body: unknown) => FeedbackEvent[]][] = [
    ['postmark', (body) => parsePostmarkWebhook(body, RECEIVED_AT)],
    ['sendgrid', (body) => parseSendgridEvents(body, RECEIVED_AT)],
    ['mailgun', (body) => parseMailgunWebhook(body, { token: TOKEN, receivedAt: RECEIVED_AT })],
  ];
  const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`) as unknown;
  const deepObject = JSON.parse(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`) as unknown;
  const long = 'x'.repeat(1_000_000);
  const hostile: unknown[] = [
    null, 0, -1, 1e308, true, '', long, [], {}, [[]], [null], deep, deepObject, [deep], { 'event-data': deep },
    JSON.parse('{"__proto__": {"event": "bounce", "RecordType": "Bounce"}, "constructor": {"prototype": {}}}'),
    { RecordType: 'Bounce', Type: ['HardBounce'], TypeCode: '1', Email: { a: 1 }, ID: { n: 1 }, BouncedAt: 12, Details: 7, MessageID: [] },
    { RecordType: 'Bounce', Type: 'HardBounce', Email: `${'<'.repeat(5000)}a@b`, Details: `550 ${'5.1.1 '.repeat(100_000)}`, BouncedAt: long },
    { RecordType: 'SubscriptionChange', Recipient: 'a@example.com', SuppressSending: { yes: true }, ChangedAt: [] },
    { RecordType: 12, FirstOpen: 'yes' },
    [{ event: 'bounce', email: ['a@example.com'], timestamp: 'soon', sg_event_id: { id: 1 }, status: 5.1, reason: { text: 'x' }, category: 7 }],
    [{ event: long, email: long, timestamp: -1e20, sg_event_id: long, 'smtp-id': long, sg_message_id: long }],
    Array.from({ length: 10_050 }, () => 1),
    { signature: [], 'event-data': { event: 'failed', severity: 'permanent', recipient: long, 'delivery-status': [], message: 'x', storage: [], tags: {} } },
    { 'event-data': { event: 'failed', severity: 'permanent', recipient: 'a@example.com', 'delivery-status': { code: 'NaN', 'enhanced-code': long, message: `${'550-5.1.1 \n'.repeat(50_000)}` } } },
    { 'event-data': { event: 42, id: 42, timestamp: Number.MAX_VALUE } },
  ];

  it.each(parsers)('%s: each hostile body gives well-formed events', (name, parse) => {
    for (const body of hostile) {
      let events: FeedbackEvent[] = [];
      expect(() => (events = parse(body))).not.toThrow();
      expectWellFormed(events);
      // Every body yields at least one event (an empty SendGrid batch holds none to yield).
      expect(events.length).toBeGreaterThanOrEqual(name === 'sendgrid' && Array.isArray(body) && body.length === 0 ? 0 : 1);
    }
  });

  it('a batch past the read limit is read up to it, and the rest kept as one unreadable event', () => {
    const events = parseSendgridEvents(Array.from({ length: 10_002 }, () => ({ event: 'open', email: 'a@example.com', timestamp: 1 })), RECEIVED_AT);
    expect(events).toHaveLength(10_001);
    expect(ignoredReason(events.at(-1)?.detail)).toBe('unreadable');
  });

  it.each(parsers)('%s: every sample with one field replaced by garbage still reads (seeded)', (name, parse) => {
    let seed = 20;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const garbage: unknown[] = [null, 0, 1.5, -7, '', 'x', '<>', long.slice(0, 5000), [], {}, [1, 'a'], { key: null }, true, 1e21];
    const mine = samples.filter((s) => s.vendor === name);
    for (const sample of mine) {
      for (let round = 0; round < 40; round++) {
        const body = structuredClone(read(sample.file)) as unknown;
        const target = (Array.isArray(body) ? body[0] : body) as Record<string, unknown>;
        const holder = name === 'mailgun' && sample.layer === 'mailgun-event-data' ? target : ((target['event-data'] as Record<string, unknown> | undefined) ?? target);
        const keys = Object.keys(holder);
        const key = keys[Math.floor(random() * keys.length)]!;
        holder[key] = garbage[Math.floor(random() * garbage.length)];
        const wrapped = name === 'mailgun' && sample.layer === 'mailgun-event-data' ? { 'event-data': body } : sample.layer === 'sendgrid-event' ? [body] : body;
        let events: FeedbackEvent[] = [];
        expect(() => (events = parse(wrapped)), `${sample.file} with ${key} replaced`).not.toThrow();
        expectWellFormed(events);
      }
    }
  });
});
