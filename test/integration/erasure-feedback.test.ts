import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { erasureId, mentions as mentionsIn } from '../helpers/erasure.ts';
import { pageClient } from '../helpers/page-client.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Restricting feedback after an erasure (docs/rules.md §10, issue #19): a bounce, a complaint or an
// unsubscribe about an erased address takes effect without writing the plain address anywhere new —
// no state document, no consent event, no raw feedback record naming it. The restriction goes on the
// erasure record, under its key, and the send-time check honours it.
let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
const { api, settled, send } = apiClient(() => app);
const { request, form, post, csrfOf } = pageClient(() => app);
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.org`;
const db = () => app.ctx.db;
const path = (address: string) => `/v1/addresses/${encodeURIComponent(address)}`;
const mentions = (address: string) => mentionsIn(db(), address);
const recordOf = (address: string) => db().collection('erased_addresses').findOne({ _id: erasureId(address) as never });

/** POST /v1/feedback with the API key, then waits until the feedback job has applied it. */
async function feedback(body: Record<string, string>): Promise<void> {
  const applied = () => db().collection('feedback_events').countDocuments({ appliedAt: { $exists: true } });
  const before = await applied();
  expect((await api('POST', '/v1/feedback', body)).status).toBe(202);
  await eventually(async () => (await applied()) > before);
}

/** An address that was subscribed, then erased: nothing of it is left but the erasure record. */
async function erased(label: string): Promise<string> {
  const address = fresh(label);
  expect((await api('PATCH', path(address), { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
  expect((await api('DELETE', path(address))).status).toBe(200);
  expect(await mentions(address)).toEqual([]);
  return address;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('erasurefb', { SMTP_URL: sink.url, SOFT_BOUNCE_LIMIT: '2' }));
});
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('feedback about an erased address', () => {
  it('a hard bounce through POST /v1/feedback goes on the erasure record: the address is written nowhere, and mail of every kind to it is suppressed hard_bounce', async () => {
    const address = await erased('bounced');
    // as a relay might report it: spelled differently, quoted in the caller's event id and detail
    await feedback({ address: address.toUpperCase(), type: 'hard_bounce', detail: `550 5.1.1 <${address}>: Recipient address rejected`, eventId: `bounce:${address}` });

    expect(await mentions(address)).toEqual([]);
    expect(await recordOf(address)).toEqual({
      _id: erasureId(address),
      erasedAt: expect.any(Date),
      keyed: 'erasure_key',
      suppression: { kind: 'hard_bounce', at: expect.any(Date), source: 'bounce', provider: 'api', eventId: 'bounce:[erased]' },
    });
    const raw = await db().collection('feedback_events').findOne({ erasedKey: erasureId(address) });
    expect(raw).toMatchObject({ _id: 'api:bounce:[erased]', address: null, type: 'hard_bounce', eventId: 'bounce:[erased]', appliedAt: expect.any(Date) });
    expect(raw).not.toHaveProperty('detail');

    // what the API and the access export say of it
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true, suppression: { kind: 'hard_bounce', source: 'bounce' } });
    const exported = (await api('GET', `${path(address)}/export`)).body;
    expect(exported).toMatchObject({
      consentHistory: [],
      erasure: { suppression: { kind: 'hard_bounce', source: 'bounce', provider: 'api', eventId: 'bounce:[erased]' } },
      feedback: [{ type: 'hard_bounce', provider: 'api', eventId: 'bounce:[erased]' }],
    });

    // a hard bounce comes first for every kind (policy.ts), marketing included, as on a state
    expect(await settled(await send('transactional', address))).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(sink.to(address)).toEqual([]);
    // only the records of those two messages name it, as for any message sent after an erasure
    expect(await mentions(address)).toEqual(['messages']);
  });

  it('an unsubscribe and a complaint write the address nowhere either: the unsubscribe records nothing, the complaint blocks marketing only, and a weaker never replaces a stronger', async () => {
    const address = await erased('restricted');
    await feedback({ address, type: 'unsubscribe', eventId: `unsubscribe:${address}` });
    expect(await mentions(address)).toEqual([]);
    expect(await recordOf(address)).toEqual({ _id: erasureId(address), erasedAt: expect.any(Date), keyed: 'erasure_key' });

    await feedback({ address, type: 'complaint', eventId: `complaint:${address}` });
    expect(await mentions(address)).toEqual([]);
    expect(await recordOf(address)).toMatchObject({ suppression: { kind: 'complaint', source: 'complaint', provider: 'api', eventId: 'complaint:[erased]' } });
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'erased' });
    expect(await settled(await send('transactional', address))).toMatchObject({ status: 'sent' });

    await feedback({ address, type: 'hard_bounce', eventId: 'later-bounce' });
    const bounced = await recordOf(address);
    expect(bounced).toMatchObject({ suppression: { kind: 'hard_bounce', eventId: 'later-bounce' } });
    await feedback({ address, type: 'complaint', eventId: 'later-complaint' });
    expect(await recordOf(address)).toEqual(bounced);
    expect(await settled(await send('transactional', address))).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(await mentions(address)).toEqual(['messages']);
  });

  it('soft bounces are counted under the erasure key: SOFT_BOUNCE_LIMIT of them put a soft_bounce on the record, which a complaint then replaces', async () => {
    const address = await erased('soft');
    await feedback({ address, type: 'soft_bounce', eventId: 'soft-1' });
    expect(await recordOf(address)).not.toHaveProperty('suppression');
    await feedback({ address, type: 'soft_bounce', eventId: 'soft-2' });
    expect(await recordOf(address)).toMatchObject({ suppression: { kind: 'soft_bounce', source: 'bounce', eventId: 'soft-2' } });
    await feedback({ address, type: 'complaint', eventId: 'complaint-1' });
    expect(await recordOf(address)).toMatchObject({ suppression: { kind: 'complaint' } });
    expect(await mentions(address)).toEqual([]);
  });

  it('the person’s fresh start lifts the record; the suppression on it moves to the new state, as a re-subscribe would leave it on any address', async () => {
    const address = await erased('comeback');
    await feedback({ address, type: 'complaint', eventId: 'complaint-before-comeback' });
    const token = app.ctx.tokens.sign({ k: 'p', a: address, m: 'msg_test' });
    const page = await request(`/preferences/${token}`);
    expect(page.status).toBe(200);
    expect((await post(`/preferences/${token}`, form({ csrf: csrfOf(page.text), action: 'subscribe', type: 'newsletter' }))).status).toBe(200);

    expect(await recordOf(address)).toBeNull();
    const state = (await api('GET', path(address))).body;
    expect(state).toMatchObject({ subscriptions: { newsletter: 'subscribed' }, suppression: { kind: 'complaint', source: 'complaint' } });
    expect(state).not.toHaveProperty('erased');
    const history = (await api('GET', `${path(address)}/history`)).body as unknown as Record<string, unknown>[];
    expect(history).toEqual([expect.objectContaining({ source: 'preferences_page', freshStart: true, version: 1 })]);
    expect(await settled(await send('marketing', address))).toMatchObject({ status: 'suppressed', reason: 'complaint' });
  });

  it('an erased address that has a state document again (a change after the erasure) is restricted on that document, as before', async () => {
    const address = await erased('withstate');
    expect((await api('PATCH', path(address), { optedOutOfAll: true })).status).toBe(200);
    await feedback({ address, type: 'hard_bounce', eventId: `bounce:${address}` });
    expect((await api('GET', path(address))).body).toMatchObject({ erased: true, optedOutOfAll: true, suppression: { kind: 'hard_bounce', source: 'bounce' } });
    const history = (await api('GET', `${path(address)}/history`)).body as unknown as Record<string, unknown>[];
    expect(history.map((e) => [e.source, e.erased])).toEqual([
      ['operator', true],
      ['bounce', true],
    ]);
    expect(await recordOf(address)).not.toHaveProperty('suppression');
    expect(await settled(await send('transactional', address))).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
  });
});
