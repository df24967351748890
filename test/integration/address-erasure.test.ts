import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { FeedbackRepository } from '../../src/feedback/index.ts';
import { MongoSubscriptionStore } from '../../src/subscriptions/index.ts';
import { appEventId, type AppEvent } from '../../src/shared/app-events.ts';
import { eraseAddress, ErasedAddressRepository } from '../../src/privacy/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { authHeaders, mongoUrlFor, TEST_ERASURE_KEY, TEST_SECRET, testConfig, uniqueName } from '../helpers/env.ts';
import { erasureId, mentions as mentionsIn } from '../helpers/erasure.ts';
import { pageClient } from '../helpers/page-client.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// DELETE /v1/addresses/:address (docs/rules.md §10, issue #14): everything held about the address goes;
// one erasure record, keyed by an HMAC of the address under MAILGATE_ERASURE_KEY (issue #19), keeps
// it from being mailed marketing again — until the person re-subscribes themselves.
// Feedback after an erasure: erasure-feedback.test.ts; the erasure key and old records: erasure-key.test.ts.
let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
const { api, settled, send } = apiClient(() => app);
const { request, form, post, csrfOf } = pageClient(() => app);
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.org`;
const db = () => app.ctx.db;
const path = (address: string) => `/v1/addresses/${encodeURIComponent(address)}`;
const mentions = (address: string) => mentionsIn(db(), address);

async function importCsv(csv: string): Promise<{ status: string; counts: Record<string, number>; errors: { line: number; reason: string }[] }> {
  const res = await fetch(`${app.url}/v1/addresses/import`, { method: 'POST', headers: { ...authHeaders, 'content-type': 'text/csv' }, body: csv });
  expect(res.status).toBe(202);
  const { jobId } = (await res.json()) as { jobId: string };
  return eventually(async () => {
    const job = (await api('GET', `/v1/jobs/${jobId}`)).body as { status: string; counts: Record<string, number>; errors: { line: number; reason: string }[] };
    return job.status === 'completed' || job.status === 'failed' ? job : undefined;
  }, 30_000);
}

/** The whole re-subscribe form flow: ask on /subscribe, follow the emailed link, confirm. */
async function resubscribeThroughForm(address: string, types: string[]): Promise<void> {
  const ip = `203.0.113.${++seq}`;
  const page = await request('/subscribe', { headers: { 'x-forwarded-for': ip } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const mailsBefore = sink.to(address).length;
  const asked = await post('/subscribe', form({ csrf: csrfOf(page.text), lang: 'en', email: address, types }), { cookie, 'x-forwarded-for': ip });
  expect(asked.status).toBe(200);
  const mail = await eventually(() => sink.to(address)[mailsBefore]);
  const link = /https:\/\/mail\.example\.test(\/subscribe\/confirm\/[A-Za-z0-9_-]+)/.exec(mail.parsed?.text ?? '')?.[1];
  expect(link).toBeDefined();
  const confirmPage = await request(link!);
  expect(confirmPage.status).toBe(200);
  const confirmed = await post(link!, form({ csrf: csrfOf(confirmPage.text) }));
  expect(confirmed.status).toBe(200);
  expect(confirmed.text).toContain('You are subscribed');
}

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('erasure', { SMTP_URL: sink.url, TRUST_PROXY: 'loopback' }));
});
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('erasing an address', () => {
  it('deletes its state, history, messages with outcomes and feedback, keeps one HMAC-keyed record (with the hard bounce it had), and a second erasure is 404', async () => {
    const address = fresh('erase');
    const other = fresh('keep');
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    expect((await api('PATCH', path(other), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    const marketing = await send('marketing', address);
    const transactional = await send('transactional', address);
    const kept = await send('marketing', other);
    expect(await settled(marketing)).toMatchObject({ status: 'sent' });
    expect(await settled(transactional)).toMatchObject({ status: 'sent' });
    expect(await settled(kept)).toMatchObject({ status: 'sent' });
    expect((await api('POST', '/v1/feedback', { address, type: 'hard_bounce', messageId: transactional, detail: '550 5.1.1 no such user', eventId: `er-${seq}` })).status).toBe(202);
    await eventually(async () => (await db().collection('message_feedback').findOne({ _id: transactional as never })) ?? undefined);
    expect(await mentions(address)).toEqual(expect.arrayContaining(['address_states', 'consent_events', 'messages', 'feedback_events']));

    const before = Date.now();
    const erased = await api('DELETE', path(address));
    expect(erased.status).toBe(200);
    expect(Object.keys(erased.body)).toEqual(['erasedAt']);
    const erasedAt = Date.parse(String(erased.body.erasedAt));
    expect(erasedAt).toBeGreaterThanOrEqual(before - 1000);

    // checked by query on the collections
    const ids = [marketing, transactional] as never[];
    expect(await db().collection('address_states').countDocuments({ _id: address as never })).toBe(0);
    expect(await db().collection('consent_events').countDocuments({ address })).toBe(0);
    expect(await db().collection('messages').countDocuments({ to: address })).toBe(0);
    expect(await db().collection('message_outcomes').countDocuments({ _id: { $in: ids } })).toBe(0);
    expect(await db().collection('message_feedback').countDocuments({ _id: { $in: ids } })).toBe(0);
    expect(await db().collection('feedback_events').countDocuments({ address })).toBe(0);
    expect(await mentions(address)).toEqual([]);
    const records = await db().collection('erased_addresses').find({}).toArray();
    // the state's suppression stays with the record (kind, time, source: not its diagnostic)
    expect(records).toEqual([{ _id: erasureId(address), erasedAt: new Date(erasedAt), keyed: 'erasure_key', suppression: { kind: 'hard_bounce', at: expect.any(Date), source: 'bounce' } }]);
    // the other address is untouched
    expect(await db().collection('messages').countDocuments({ to: other })).toBe(1);
    expect((await api('GET', `/v1/messages/${kept}`)).body).toMatchObject({ status: 'sent' });

    // nothing left to say: 404; and the record keeps its first time
    const again = await api('DELETE', path(address));
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ error: { code: 'address_not_found' } });
    expect(await db().collection('erased_addresses').find({}).toArray()).toEqual(records);

    // what the API says of it now
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true, optedOutOfAll: false, suppression: { kind: 'hard_bounce' } });
    const exported = await api('GET', `${path(address)}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ erasure: { erasedAt: new Date(erasedAt).toISOString(), suppression: { kind: 'hard_bounce', source: 'bounce' } }, consentHistory: [], messages: [], feedback: [] });
  });

  it('refuses an unknown address (404, writing nothing) and a malformed one (400)', async () => {
    const count = await db().collection('erased_addresses').countDocuments();
    const unknown = await api('DELETE', path(fresh('never-seen')));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'address_not_found' } });
    const malformed = await api('DELETE', path('not-an-address'));
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'invalid_address' } });
    expect(await db().collection('erased_addresses').countDocuments()).toBe(count);
  });

  it('an erased address: marketing suppressed (erased), transactional sent, operator and import re-subscribes refused, restricting changes kept erased', async () => {
    const address = fresh('after');
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    expect((await api('DELETE', path(address))).status).toBe(200);

    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });
    expect(await settled(await send('transactional', address))).toMatchObject({ status: 'sent' });

    const patch = await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } });
    expect(patch.status).toBe(409);
    expect(patch.body).toMatchObject({ error: { code: 'address_erased' } });
    expect(await db().collection('consent_events').countDocuments({ address })).toBe(0);

    const job = await importCsv(`address,action,type,legalBasis,legalBasisExplanation\n${address},subscribe,newsletter,,\n${address.toUpperCase()},unsubscribe,events,,\n`);
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ applied: 1, unchanged: 0, rejected: 1 });
    expect(job.errors).toEqual([{ line: 2, reason: expect.stringMatching(/^address_erased: /) }]);

    // the unsubscribe went through and the address stays erased: the state document carries the mark
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true, subscriptions: { events: 'unsubscribed', newsletter: 'not_specified' } });
    expect(await db().collection('address_states').findOne({ _id: address as never })).toMatchObject({ erased: true });
    expect((await api('PATCH', path(address), { optedOutOfAll: true })).status).toBe(200);
    expect((await api('PATCH', path(address), { optedOutOfAll: false, legalBasis: 'consent_with_notice', legalBasisExplanation: 'asked at the fair' })).status).toBe(409);
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });
  });

  it('the person’s confirmed re-subscribe through the form lifts it, as a fresh start: a later marketing send is sent', async () => {
    const address = fresh('back');
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'unsubscribed' } })).status).toBe(200);
    expect((await api('DELETE', path(address))).status).toBe(200);
    expect(await db().collection('erased_addresses').countDocuments({ _id: erasureId(address) as never })).toBe(1);

    await resubscribeThroughForm(address, ['newsletter']);

    const state = (await api('GET', path(address))).body;
    expect(state).toMatchObject({ optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' } });
    expect(state).not.toHaveProperty('erased');
    expect(await db().collection('erased_addresses').countDocuments({ _id: erasureId(address) as never })).toBe(0);
    const history = (await api('GET', `${path(address)}/history`)).body as unknown as Record<string, unknown>[];
    expect(history).toEqual([expect.objectContaining({ source: 'resubscribe_form', freshStart: true, version: 1, after: { subscriptions: { newsletter: 'subscribed' } } })]);
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'sent' });
  });

  it('the preferences page from an email’s footer: an unsubscribe keeps the erasure, a subscribe lifts it', async () => {
    const address = fresh('prefs');
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    expect((await api('DELETE', path(address))).status).toBe(200);
    const token = app.ctx.tokens.sign({ k: 'p', a: address, m: 'msg_test' });
    const page = await request(`/preferences/${token}`);
    expect(page.status).toBe(200);
    const choose = async (action: string, type: string) => {
      const res = await post(`/preferences/${token}`, form({ csrf: csrfOf(page.text), action, type }));
      expect(res.status).toBe(200);
    };
    await choose('unsubscribe', 'events');
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true, subscriptions: { events: 'unsubscribed' } });
    await choose('subscribe', 'newsletter');
    const state = (await api('GET', path(address))).body;
    expect(state).toMatchObject({ subscriptions: { events: 'unsubscribed', newsletter: 'subscribed' } });
    expect(state).not.toHaveProperty('erased');
    const history = (await api('GET', `${path(address)}/history`)).body as unknown as Record<string, unknown>[];
    expect(history.map((e) => [e.source, e.erased ?? false, e.freshStart ?? false])).toEqual([
      ['preferences_page', true, false],
      ['preferences_page', false, true],
    ]);
    expect(await db().collection('erased_addresses').countDocuments({ _id: erasureId(address) as never })).toBe(0);
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'sent' });
  });

  it('an event a racing writer left behind the erasure (read "never seen" before it, written after) cannot bring the address back unmarked', async () => {
    const address = fresh('race');
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'unsubscribed' } })).status).toBe(200);
    expect((await api('DELETE', path(address))).status).toBe(200);
    // as that writer left it: its event inserted after the erasure's delete, its state write not done (a crash)
    await db().collection('consent_events').insertOne({
      _id: `${address}#1` as never,
      address,
      version: 1,
      before: { subscriptions: { newsletter: 'not_specified' } },
      after: { subscriptions: { newsletter: 'subscribed' } },
      source: 'operator',
      at: new Date(),
    });
    // the next write rolls that event forward first: the document it makes is marked erased
    expect((await api('PATCH', path(address), { subscriptions: { events: 'unsubscribed' } })).status).toBe(200);
    expect(await db().collection('address_states').findOne({ _id: address as never })).toMatchObject({ erased: true, version: 2 });
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true });
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });
    // and a second erasure finds what is held again
    expect((await api('DELETE', path(address))).status).toBe(200);
    expect(await db().collection('consent_events').countDocuments({ address })).toBe(0);
  });

  it('a crashed erasure (record written, the rest not) is finished by the retry, emitting one subscription.changed', async () => {
    const address = fresh('crash');
    expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    // as the crashed erasure left it: the record written, nothing else
    const erased = new ErasedAddressRepository({ db: db(), erasureKey: TEST_ERASURE_KEY, legacySecrets: [TEST_SECRET] });
    const first = await erased.record(address, new Date('2026-01-02T03:04:05Z'));
    expect(first.key).toBe(erasureId(address));

    const emitted: AppEvent[] = [];
    const retry = await eraseAddress(
      {
        store: app.subscriptions!.store,
        messages: app.messages!.repository,
        feedback: new FeedbackRepository({ db: db(), erasures: app.subscriptions!.store.erasures }),
        erased,
        logger: app.ctx.logger,
        events: { emit: async (events) => void emitted.push(...events), wants: () => true },
        alsoErase: [async (a) => (a === address ? 2 : 0)],
      },
      address,
    );
    expect(retry.erasedAt).toEqual(first.erasedAt);
    expect(await db().collection('consent_events').countDocuments({ address })).toBe(0);
    expect(await db().collection('address_states').countDocuments({ _id: address as never })).toBe(0);
    expect(emitted).toEqual([
      {
        id: appEventId('erasure', erasureId(address), String(first.erasedAt.getTime())),
        type: 'subscription.changed',
        address,
        at: first.erasedAt,
        data: {
          source: 'erasure',
          before: { optedOutOfAll: false, subscriptions: { newsletter: 'subscribed' }, suppression: null },
          after: { optedOutOfAll: false, subscriptions: {}, suppression: null, erased: true },
        },
      },
    ]);
    expect((await api('DELETE', path(address))).status).toBe(404);
  });
});

describe('when the erasure records cannot be read', () => {
  it('the state read fails (so the send-time check retries) instead of answering "not erased"; addresses with a state document are not asked', async () => {
    const known = fresh('known');
    expect((await api('PATCH', path(known), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    const broken = await mongoose.createConnection(mongoUrlFor(uniqueName('erased-down')), { bufferCommands: false }).asPromise();
    await broken.close();
    const store = new MongoSubscriptionStore({ db: db(), catalog: app.ctx.catalog, logger: app.ctx.logger, erased: new ErasedAddressRepository({ db: broken, erasureKey: TEST_ERASURE_KEY, legacySecrets: [TEST_SECRET] }) });
    await expect(store.getMany([known, fresh('never-seen')])).rejects.toThrow();
    await expect(store.get(fresh('never-seen'))).rejects.toThrow();
    await expect(store.apply(fresh('never-seen'), { subscriptions: { newsletter: 'subscribed' } }, { source: 'operator' })).rejects.toThrow();
    expect((await store.getMany([known])).get(known)).toMatchObject({ subscriptions: { newsletter: 'subscribed' } });
  });
});
