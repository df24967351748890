import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentEventView } from '../../src/subscriptions/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { basicAuth as basic, mailgunSignature, nowSeconds, sendgridHeaders as signedHeaders, sendgridKeys as makeSendgridKeys } from '../helpers/relay-signers.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Relay feedback over HTTP (docs/feedback.md, docs/rules.md §7): Postmark, SendGrid, Mailgun, the generic
// endpoint, bad input and the suppression list, each source authenticated as its provider does it.
// SES is left unconfigured here on purpose (feedback-ses.test.ts covers it).
const FIXTURES = resolve(import.meta.dirname, '../fixtures/feedback');
/** The relays' own documented and captured samples (issue #20). */
const RELAYS = resolve(import.meta.dirname, '../fixtures/relays');
const POSTMARK_AUTH = 'postmark-hook:correct-horse-battery';
const MAILGUN_KEY = 'key-mailgun-signing-0123456789abcdef';
const sendgridKeys = makeSendgridKeys();
const SENDGRID_PUBLIC_KEY = sendgridKeys.publicKeyBase64;

let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.net`;
const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

/** A provider fixture, parsed, to copy and rewrite per test. */
const fixture = <T>(file: string): T => JSON.parse(readFileSync(resolve(FIXTURES, file), 'utf8')) as T;
/** A relay sample (test/fixtures/relays), parsed. */
const relaySample = <T>(file: string): T => JSON.parse(readFileSync(resolve(RELAYS, file), 'utf8')) as T;

const { api, settled, send } = apiClient(() => app);
/** POSTs a raw JSON body to a relay receiver as the relay does (no API key). */
const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: res.headers };
};
const errorCode = (body: Record<string, unknown>) => (body.error as { code?: string } | undefined)?.code;

const stateOf = async (address: string) => (await api('GET', `/v1/addresses/${encodeURIComponent(address)}`)).body;
const historyOf = async (address: string) => (await api('GET', `/v1/addresses/${encodeURIComponent(address)}/history`)).body as unknown as ConsentEventView[];
const feedbackEvents = () => app.ctx.db.collection('feedback_events');
const storedFor = (...addresses: string[]) => feedbackEvents().countDocuments({ address: { $in: addresses } });
/** Waits until at least `count` feedback events of the address are stored, and all of them applied by the worker. */
const appliedFor = (address: string, count = 1) =>
  eventually(async () => {
    const stored = await feedbackEvents().countDocuments({ address });
    const applied = await feedbackEvents().countDocuments({ address, appliedAt: { $exists: true } });
    return stored >= count && applied === stored;
  });


const postmark = (body: unknown) => post('/v1/feedback/postmark', JSON.stringify(body), basic(POSTMARK_AUTH));
/** A Postmark fixture for this address, with an ID of its own (Postmark's ID is its event id). */
const postmarkRecord = (file: string, address: string) => ({ ...fixture<Record<string, unknown>>(file), Email: address, ID: Math.floor(Math.random() * 1e9) + seq++ });

/** SendGrid's signature headers, with the configured key unless another is given. */
const sendgridHeaders = (body: string, timestamp = nowSeconds(), key: KeyObject = sendgridKeys.privateKey) => signedHeaders(body, key, timestamp);

/** The Mailgun failed-permanent fixture for this address, signed with a fresh token (or the given fields). */
const mailgunBody = (address: string, signature: { timestamp?: string; token?: string; key?: string } = {}) => {
  const body = fixture<{ signature: Record<string, string>; 'event-data': Record<string, unknown> }>('mailgun-failed-permanent.json');
  body.signature = mailgunSignature(signature.key ?? MAILGUN_KEY, signature);
  body['event-data'] = { ...body['event-data'], id: unique('mg'), recipient: address, envelope: { targets: address } };
  return JSON.stringify(body);
};
/** Any Mailgun event-data, signed as Mailgun signs a delivery: a fresh token unless one is given. */
const signedMailgun = (eventData: Record<string, unknown>, token = randomBytes(25).toString('hex')) =>
  JSON.stringify({ signature: mailgunSignature(MAILGUN_KEY, { token }), 'event-data': eventData });

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(
    testConfig('feedbackweb2', {
      SMTP_URL: sink.url,
      MAIL_FROM: 'News <news@mailgate.example>',
      FEEDBACK_POSTMARK_AUTH: POSTMARK_AUTH,
      FEEDBACK_SENDGRID_PUBLIC_KEY: SENDGRID_PUBLIC_KEY,
      FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
      SOFT_BOUNCE_LIMIT: '3',
    }),
    { api: true, worker: true },
  );
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('Postmark', () => {
  it('answers 401 with WWW-Authenticate to missing or wrong basic auth, and stores nothing', async () => {
    const address = fresh('pm-unauth');
    const body = JSON.stringify(postmarkRecord('postmark-bounce-hard.json', address));
    for (const headers of [{}, basic('postmark-hook:wrong-password'), basic('intruder:correct-horse-battery'), authHeaders]) {
      const res = await post('/v1/feedback/postmark', body, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    }
    expect(await storedFor(address)).toBe(0);
    expect((await stateOf(address)).suppression).toBeUndefined();
  });

  it.each([
    ['postmark-bounce-hard.json', { kind: 'hard_bounce', source: 'bounce' }],
    ['postmark-spam-complaint.json', { kind: 'complaint', source: 'complaint' }],
  ])('%s → suppression %o', async (file, suppression) => {
    const address = fresh('pm');
    const res = await postmark(postmarkRecord(file, address));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, stored: 1 });
    await appliedFor(address);
    expect((await stateOf(address)).suppression).toMatchObject(suppression);
    expect((await historyOf(address)).at(-1)).toMatchObject({ source: suppression.source, feedback: { provider: 'postmark', eventId: expect.stringMatching(/^postmark:/) } });
  });

  it('counts a SoftBounce without suppressing anything', async () => {
    const address = fresh('pm-soft');
    expect((await postmark(postmarkRecord('postmark-bounce-soft.json', address))).status).toBe(200);
    await appliedFor(address);
    expect(await feedbackEvents().findOne({ address })).toMatchObject({ type: 'soft_bounce', provider: 'postmark' });
    expect((await stateOf(address)).suppression).toBeUndefined();
    expect(await historyOf(address)).toEqual([]);
  });

  it.each([
    ['Type and TypeCode', {}],
    ['TypeCode alone', { Type: undefined }],
  ])('suppresses a bounce without RecordType (older integrations and docs), by %s and Email', async (_label, fields) => {
    const address = fresh('pm-legacy');
    const record = { ...relaySample<Record<string, unknown>>('postmark/bounce-legacy-no-recordtype.json'), Email: address, ID: Math.floor(Math.random() * 1e9) + seq++, ...fields };
    expect(record).not.toHaveProperty('RecordType');
    const res = await postmark(record);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, stored: 1, ignored: 0 });
    await appliedFor(address);
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    expect((await historyOf(address)).at(-1)).toMatchObject({ feedback: { provider: 'postmark', eventId: `postmark:Bounce:${String(record.ID)}` } });
  });

  it('answers an Unsubscribe bounce record without an address 200, counted, storing nothing', async () => {
    const before = await feedbackEvents().countDocuments({ provider: 'postmark' });
    const res = await postmark({ ...relaySample<Record<string, unknown>>('postmark/bounce-unsubscribe-no-address.json'), ID: unique('pm') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, stored: 0, ignored: 1 });
    expect(await feedbackEvents().countDocuments({ provider: 'postmark' })).toBe(before);
    expect(await app.ctx.metrics.getSingleMetricAsString('mailgate_feedback_ignored_total')).toMatch(/provider="postmark",reason="no_address"\} [1-9]/);
  });
});

describe('SendGrid', () => {
  type SendgridEvent = { email: string; event: string; type?: string; sg_event_id: string };
  /** The events fixture with every recipient replaced by an address of this test, and event ids of its own. */
  const sendgridBatch = () => {
    const addresses = new Map<string, string>();
    const events = fixture<SendgridEvent[]>('sendgrid-events.json').map((e) => {
      if (!addresses.has(e.email)) addresses.set(e.email, fresh(`sg-${e.email.split('@')[0]!}`));
      return { ...e, email: addresses.get(e.email)!, sg_event_id: unique(e.sg_event_id) };
    });
    return { events, to: (original: string) => addresses.get(original)! };
  };

  it('applies a signed batch: bounce → hard_bounce, spamreport → complaint, unsubscribe → opted out; blocked and open change nothing', async () => {
    const { events, to } = sendgridBatch();
    const body = JSON.stringify(events);
    const res = await post('/v1/feedback/sendgrid', body, sendgridHeaders(body));
    expect(res.status).toBe(200);
    // bounce, spamreport, unsubscribe, group_unsubscribe, delivered and deferred (a delay, #20) are
    // stored; blocked, open, dropped, processed are not.
    expect(res.body).toMatchObject({ received: events.length, stored: 6, replayed: 0, ignored: 4 });
    for (const original of ['gone@example.org', 'complainer@example.com', 'leaver@example.com', 'groupleaver@example.com', 'reader@example.com', 'slow@example.net']) {
      await appliedFor(to(original));
    }

    expect((await stateOf(to('gone@example.org'))).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    expect((await historyOf(to('gone@example.org'))).at(-1)).toMatchObject({ source: 'bounce', feedback: { provider: 'sendgrid', statusCode: '5.1.1' } });
    expect((await stateOf(to('complainer@example.com'))).suppression).toMatchObject({ kind: 'complaint', source: 'complaint' });

    const leaver = await stateOf(to('leaver@example.com'));
    expect(leaver).toMatchObject({ optedOutOfAll: true });
    expect(leaver.suppression).toBeUndefined();
    expect((await historyOf(to('leaver@example.com'))).at(-1)).toMatchObject({ source: 'provider', after: { optedOutOfAll: true }, feedback: { provider: 'sendgrid' } });

    for (const unchanged of [to('blocked@example.net'), to('reader@example.com'), to('slow@example.net')]) {
      expect(await stateOf(unchanged)).toMatchObject({ optedOutOfAll: false, updatedAt: null });
      expect((await stateOf(unchanged)).suppression).toBeUndefined();
      expect(await historyOf(unchanged)).toEqual([]);
    }
    expect(await storedFor(to('blocked@example.net'))).toBe(0);

    const metrics = await fetch(`${app.url}/metrics`, { headers: authHeaders }).then((r) => r.text());
    const ignored = /^mailgate_feedback_events_total\{provider="sendgrid",type="ignored"\} (\d+)$/m.exec(metrics);
    expect(Number(ignored?.[1])).toBeGreaterThanOrEqual(4);
  });

  it('applies the good events of a batch with unreadable elements, and keeps those raw (200)', async () => {
    const [gone, angry] = [fresh('sg-batch-gone'), fresh('sg-batch-angry')];
    const garbage = unique('not-an-event');
    const noEvent = { email: fresh('sg-batch-noevent'), timestamp: 1700000000, sg_event_id: unique('sg') };
    const events = [
      { email: gone, event: 'bounce', type: 'bounce', timestamp: 1700000000, sg_event_id: unique('sg'), status: '5.1.1', reason: '550 5.1.1 no such user' },
      garbage,
      noEvent,
      { email: angry, event: 'spamreport', timestamp: 1700000001, sg_event_id: unique('sg') },
    ];
    const body = JSON.stringify(events);
    const res = await post('/v1/feedback/sendgrid', body, sendgridHeaders(body));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 4, stored: 2, replayed: 0, ignored: 2 });
    await appliedFor(gone);
    await appliedFor(angry);
    expect((await stateOf(gone)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    expect((await stateOf(angry)).suppression).toMatchObject({ kind: 'complaint', source: 'complaint' });

    // The unreadable elements are kept as they came, already applied, naming nobody.
    const kept = await feedbackEvents().find({ provider: 'sendgrid', raw: { $in: [JSON.stringify(garbage), JSON.stringify(noEvent)] } }).toArray();
    expect(kept).toHaveLength(2);
    for (const record of kept) expect(record).toMatchObject({ type: 'ignored', address: null, detail: expect.stringMatching(/^unreadable:/), appliedAt: expect.any(Date) });
    expect(await app.ctx.metrics.getSingleMetricAsString('mailgate_feedback_ignored_total')).toMatch(/provider="sendgrid",reason="unreadable"\} [2-9]/);
  });

  it('refuses a wrong signature, a tampered body and a stale timestamp (403), and stores nothing', async () => {
    const batch = (address: string) => JSON.stringify([{ ...sendgridBatch().events[0]!, email: address }]);
    const [wrongKey, tampered, stale, unsigned] = [fresh('sg-wrongkey'), fresh('sg-tampered'), fresh('sg-stale'), fresh('sg-unsigned')];
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const signedBody = batch(fresh('sg-signed'));
    const cases = [
      { body: batch(wrongKey), headers: (b: string) => sendgridHeaders(b, nowSeconds(), other), status: 403, code: 'sendgrid_signature_invalid' },
      { body: signedBody.replace(/"email":"[^"]+"/, `"email":"${tampered}"`), headers: () => sendgridHeaders(signedBody), status: 403, code: 'sendgrid_signature_invalid' },
      { body: batch(stale), headers: (b: string) => sendgridHeaders(b, String(Math.floor(Date.now() / 1000) - 3600)), status: 403, code: 'sendgrid_timestamp_stale' },
      { body: batch(unsigned), headers: () => ({}), status: 401, code: 'sendgrid_signature_missing' },
    ];
    for (const c of cases) {
      const res = await post('/v1/feedback/sendgrid', c.body, c.headers(c.body));
      expect(res.status, c.code).toBe(c.status);
      expect(errorCode(res.body)).toBe(c.code);
    }
    expect(await storedFor(wrongKey, tampered, stale, unsigned)).toBe(0);
    for (const address of [wrongKey, tampered, stale]) expect((await stateOf(address)).suppression).toBeUndefined();
    // Each refusal is counted under its code.
    const dropped = await app.ctx.metrics.getSingleMetricAsString('mailgate_feedback_dropped_total');
    expect(dropped).toMatch(/reason="sendgrid_signature_invalid"\} [2-9]/);
    expect(dropped).toMatch(/reason="sendgrid_timestamp_stale"\} [1-9]/);
    expect(dropped).toMatch(/reason="sendgrid_signature_missing"\} [1-9]/);
  });
});

describe('Mailgun', () => {
  it('applies a signed permanent failure once, and refuses the same body again (reused token)', async () => {
    const address = fresh('mg-gone');
    const body = mailgunBody(address);
    const res = await post('/v1/feedback/mailgun', body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 1 });
    await appliedFor(address);
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    const history = await historyOf(address);
    expect(history.at(-1)).toMatchObject({ source: 'bounce', feedback: { provider: 'mailgun', statusCode: '5.1.1' } });

    const again = await post('/v1/feedback/mailgun', body);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect(errorCode(again.body)).toBe('mailgun_token_reused');
    expect(await storedFor(address)).toBe(1);
    expect(await historyOf(address)).toEqual(history);
  });

  it('refuses a bad signature and a stale timestamp (403), without using up the token', async () => {
    const address = fresh('mg-forged');
    const token = randomBytes(25).toString('hex');
    const forged = await post('/v1/feedback/mailgun', mailgunBody(address, { token, key: 'not-the-signing-key-at-all' }));
    expect(forged.status).toBe(403);
    expect(errorCode(forged.body)).toBe('mailgun_signature_invalid');
    const stale = await post('/v1/feedback/mailgun', mailgunBody(address, { token, timestamp: String(Math.floor(Date.now() / 1000) - 3600) }));
    expect(stale.status).toBe(403);
    expect(errorCode(stale.body)).toBe('mailgun_timestamp_stale');
    expect(await storedFor(address)).toBe(0);
    expect((await stateOf(address)).suppression).toBeUndefined();

    // Mailgun's own delivery with that token still goes through: refused requests claim nothing.
    expect((await post('/v1/feedback/mailgun', mailgunBody(address, { token }))).status).toBe(200);
    expect(await storedFor(address)).toBe(1);
  });

  it.each(['mailgun/captured-failed-permanent-gmail-multiline.json', 'mailgun/derived-failed-permanent-outlook-5.5.0.json'])(
    'suppresses the permanent failure of %s (no id, multi-line or 5.5.0 reply)',
    async (file) => {
      const address = fresh('mg-sample');
      const res = await post('/v1/feedback/mailgun', signedMailgun({ ...relaySample<Record<string, unknown>>(file), recipient: address }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ received: 1, stored: 1 });
      await appliedFor(address);
      expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    },
  );

  it('keys an event without id on the token: the same delivery is stored once, a fresh token is a new event', async () => {
    const address = fresh('mg-noid');
    const eventData = { ...relaySample<Record<string, unknown>>('mailgun/captured-failed-temporary-greylisted.json'), recipient: address };
    expect(eventData).not.toHaveProperty('id');
    const [first, second] = [randomBytes(25).toString('hex'), randomBytes(25).toString('hex')];
    const body = signedMailgun(eventData, first);
    expect((await post('/v1/feedback/mailgun', body)).body).toMatchObject({ stored: 1 });
    const again = await post('/v1/feedback/mailgun', body);
    expect(errorCode(again.body)).toBe('mailgun_token_reused');
    expect(await storedFor(address)).toBe(1);

    expect((await post('/v1/feedback/mailgun', signedMailgun(eventData, second))).body).toMatchObject({ stored: 1, replayed: 0 });
    await appliedFor(address, 2);
    const ids = (await feedbackEvents().find({ address }).toArray()).map((r) => r._id).sort();
    expect(ids).toEqual([`mailgun:token:${first}`, `mailgun:token:${second}`].sort());
    // A temporary failure is a delay: stored, never a suppression.
    expect((await stateOf(address)).suppression).toBeUndefined();
    expect(await feedbackEvents().countDocuments({ address, type: 'delayed' })).toBe(2);
  });

  it('unsubscribed with tags ["*"] and storage [] opts out of all marketing; other tags only that message’s type', async () => {
    const [everything, tagged] = [fresh('mg-unsub-all'), fresh('mg-unsub-tag')];
    const headerIdOf = async (address: string) => {
      expect(await settled(await send('marketing', address))).toMatchObject({ status: 'sent' });
      return sink.to(address)[0]!.header('message-id')!;
    };
    const sample = relaySample<Record<string, unknown>>('mailgun/derived-unsubscribed-all-tags-empty-storage.json');
    expect(sample).toMatchObject({ tags: ['*'], storage: [] });
    for (const [address, tags] of [[everything, ['*']], [tagged, ['my_tag_1']]] as const) {
      const eventData = { ...sample, tags, recipient: address, timestamp: String(Date.now() / 1000), message: { headers: { 'message-id': await headerIdOf(address) } } };
      const res = await post('/v1/feedback/mailgun', signedMailgun(eventData));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ stored: 1 });
      await appliedFor(address);
    }

    const all = await stateOf(everything);
    expect(all).toMatchObject({ optedOutOfAll: true });
    expect(all.suppression).toBeUndefined();
    expect((await historyOf(everything)).at(-1)).toMatchObject({ source: 'provider', after: { optedOutOfAll: true }, feedback: { provider: 'mailgun' } });
    // The same event naming the same kind of message, tagged otherwise: only the newsletter.
    expect(await stateOf(tagged)).toMatchObject({ optedOutOfAll: false, subscriptions: { newsletter: 'unsubscribed' } });
  });
});

describe('POST /v1/feedback (any other source, with the API key)', () => {
  it('requires the API key', async () => {
    const address = fresh('generic-unauth');
    for (const headers of [{}, { authorization: 'Bearer not-the-api-key-at-all' }] as Record<string, string>[]) {
      const res = await api('POST', '/v1/feedback', { address, type: 'hard_bounce' }, headers);
      expect(res.status).toBe(401);
    }
    expect(await storedFor(address)).toBe(0);
  });

  it('suppresses an address reported as hard_bounce', async () => {
    const address = fresh('generic-gone');
    const res = await api('POST', '/v1/feedback', { address, type: 'hard_bounce', detail: '550 5.1.1 no such user' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ stored: 1 });
    await appliedFor(address);
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce', detail: '550 5.1.1 no such user' });
    expect((await historyOf(address)).at(-1)).toMatchObject({ source: 'bounce', feedback: { provider: 'api', eventId: expect.any(String) } });
  });

  it('suppresses after SOFT_BOUNCE_LIMIT (3) soft bounces of different messages, for marketing only', async () => {
    const address = fresh('generic-soft');
    const softBounce = (messageId: string) => api('POST', '/v1/feedback', { address, type: 'soft_bounce', messageId, detail: '452 4.2.2 mailbox full' });
    for (const [i, messageId] of ['relay-msg-a', 'relay-msg-b'].entries()) {
      expect((await softBounce(messageId)).status).toBe(202);
      await appliedFor(address, i + 1);
    }
    expect((await stateOf(address)).suppression).toBeUndefined();

    expect((await softBounce('relay-msg-c')).status).toBe(202);
    await appliedFor(address, 3);
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'soft_bounce', source: 'bounce' });

    const marketing = await send('marketing', address);
    const transactional = await send('transactional', address);
    expect(await settled(marketing)).toMatchObject({ status: 'suppressed', reason: 'soft_bounce' });
    expect(await settled(transactional)).toMatchObject({ status: 'sent' });
    expect(sink.to(address)).toHaveLength(1);

    // Lifting the suppression forgives the soft bounces before it: one more does not suppress again.
    expect((await api('DELETE', `/v1/addresses/${encodeURIComponent(address)}/suppression`, { explanation: 'mailbox cleaned up, confirmed by the customer' })).status).toBe(200);
    expect((await softBounce('relay-msg-d')).status).toBe(202);
    await appliedFor(address, 4);
    expect((await stateOf(address)).suppression).toBeUndefined();
  });

  it('counts soft bounces of one message once: three of the same message do not suppress', async () => {
    const address = fresh('generic-soft-same');
    for (let i = 1; i <= 3; i++) {
      expect((await api('POST', '/v1/feedback', { address, type: 'soft_bounce', messageId: 'relay-msg-retried' })).status).toBe(202);
      await appliedFor(address, i);
    }
    expect((await stateOf(address)).suppression).toBeUndefined();
  });
});

describe('bad input', () => {
  it('answers malformed JSON from an authenticated relay with 400, storing nothing', async () => {
    const before = await feedbackEvents().countDocuments();
    const res = await post('/v1/feedback/postmark', '{"RecordType": "Bounce", "Email": ', basic(POSTMARK_AUTH));
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('malformed_json');
    expect(await feedbackEvents().countDocuments()).toBe(before);
  });

  it('refuses a body over 2 MB with 413', async () => {
    const record = JSON.stringify({ ...postmarkRecord('postmark-bounce-hard.json', fresh('pm-big')), Content: 'x'.repeat(2 * 1024 * 1024) });
    const res = await post('/v1/feedback/postmark', record, basic(POSTMARK_AUTH));
    expect(res.status).toBe(413);
    expect(errorCode(res.body)).toBe('payload_too_large');
  });

  it('refuses SES feedback with 403 feedback_source_not_configured when no topic is configured', async () => {
    const before = await feedbackEvents().countDocuments();
    const res = await post('/v1/feedback/ses', JSON.stringify({ Type: 'Notification', Message: readFileSync(resolve(FIXTURES, 'ses-bounce-permanent.json'), 'utf8') }));
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('feedback_source_not_configured');
    expect(await feedbackEvents().countDocuments()).toBe(before);
  });
});

describe('the suppression list', () => {
  type Entry = { address: string; reason: string; source: string; at: string; detail?: string };
  const list = async (query: string) => (await api('GET', `/v1/suppressions?${query}`)).body as { suppressions: Entry[]; nextCursor?: string };
  const lift = (address: string, body?: unknown) => api('DELETE', `/v1/addresses/${encodeURIComponent(address)}/suppression`, body);
  const report = async (address: string, type: 'hard_bounce' | 'complaint', detail?: string) => {
    expect((await api('POST', '/v1/feedback', { address, type, ...(detail ? { detail } : {}) })).status).toBe(202);
    await eventually(async () => (await stateOf(address)).suppression);
  };

  it('lists suppressed addresses newest first with reason, source and detail, and filters by reason', async () => {
    const since = new Date().toISOString();
    const [first, second, third] = [fresh('list-1'), fresh('list-2'), fresh('list-3')];
    await report(first, 'hard_bounce', '550 5.1.1 user unknown');
    await report(second, 'complaint');
    await report(third, 'hard_bounce');

    const all = await list(`since=${encodeURIComponent(since)}`);
    expect(all.suppressions.map((s) => s.address)).toEqual([third, second, first]);
    expect(all.suppressions[2]).toMatchObject({ reason: 'hard_bounce', source: 'bounce', detail: '550 5.1.1 user unknown', at: expect.any(String) });
    expect(all.suppressions[1]).toMatchObject({ reason: 'complaint', source: 'complaint' });

    const complaints = await list(`reason=complaint&since=${encodeURIComponent(since)}`);
    expect(complaints.suppressions.map((s) => s.address)).toEqual([second]);
    expect((await list('reason=complaint')).suppressions.every((s) => s.reason === 'complaint')).toBe(true);
  });

  it('lifts a hard bounce only with an explanation, recording the operator and the explanation', async () => {
    const address = fresh('lift-bounce');
    await report(address, 'hard_bounce');
    const none = await lift(address);
    expect([400, 422]).toContain(none.status);
    const blank = await lift(address, { explanation: '   ' });
    expect([400, 422]).toContain(blank.status);
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce' });

    const explanation = 'mailbox restored, confirmed by phone';
    const lifted = await lift(address, { explanation });
    expect(lifted.status).toBe(200);
    expect(lifted.body.suppression).toBeUndefined();
    expect((await stateOf(address)).suppression).toBeUndefined();
    expect((await historyOf(address)).at(-1)).toMatchObject({ source: 'operator', legalBasisExplanation: explanation, actor: expect.any(String), before: { suppression: expect.anything() } });
    expect((await list(`reason=hard_bounce&limit=1000`)).suppressions.map((s) => s.address)).not.toContain(address);
  });

  it('lifts a complaint only with a legal basis as well', async () => {
    const address = fresh('lift-complaint');
    await report(address, 'complaint');
    const refused = await lift(address, { explanation: 'asked us by phone to receive the newsletter again' });
    expect(refused.status).toBe(422);
    expect(errorCode(refused.body)).toBe('legal_basis_required');
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'complaint' });

    const lifted = await lift(address, { explanation: 'asked us by phone to receive the newsletter again', legalBasis: 'consent_with_notice' });
    expect(lifted.status).toBe(200);
    expect((await stateOf(address)).suppression).toBeUndefined();
    expect((await historyOf(address)).at(-1)).toMatchObject({ source: 'operator', legalBasis: 'consent_with_notice', actor: expect.any(String) });
  });

  it('answers 404 for an address with no suppression', async () => {
    const res = await lift(fresh('never-suppressed'), { explanation: 'just checking' });
    expect(res.status).toBe(404);
  });
});
