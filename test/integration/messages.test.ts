import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import type { MessageView } from '../../src/messages/index.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let sink: SmtpSink;
let app: TestApp;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

const send = (body: Record<string, unknown>, headers?: Record<string, string>) => api('POST', '/v1/messages', body, headers);

/** Polls GET /v1/messages/:id until the status is final. */
async function settled(id: string, timeoutMs = 15_000): Promise<MessageView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/v1/messages/${id}`);
    const view = res.body as unknown as MessageView;
    if (view.status !== 'queued') return view;
    if (Date.now() > deadline) throw new Error(`message ${id} still queued after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const marketing = (to: string, extra: Record<string, unknown> = {}) => ({
  kind: 'marketing',
  to,
  template: 'newsletter',
  subscriptionType: 'newsletter',
  ...extra,
});
const newsletterData = () => (app.templates?.renderer.get('newsletter')?.sampleData ?? {}) as Record<string, unknown>;

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('messages', { SMTP_URL: sink.url, WORKER_CONCURRENCY: '20', MAIL_FROM: 'News <news@mailgate.example>' }));
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('sending as a user would', () => {
  it('delivers marketing to a fresh address, with the list headers and a Message-ID on our domain', async () => {
    const to = fresh('Fresh');
    const res = await send(marketing(to, { data: newsletterData() }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), status: 'queued' });
    const id = res.body.id as string;
    const view = await settled(id);
    expect(view).toMatchObject({ id, kind: 'marketing', to: to.toLowerCase(), template: 'newsletter', subscriptionType: 'newsletter', status: 'sent', attempts: 1 });
    expect(Date.parse(view.sentAt!)).toBeGreaterThan(0);
    const [mail] = sink.to(to);
    expect(sink.to(to)).toHaveLength(1);
    expect(mail!.header('message-id')).toBe(`<${id}.${app.ctx.messageTags.tag(id)}@mailgate.example>`);
    expect(mail!.header('list-unsubscribe')).toMatch(/^<https:\/\/mail\.example\.test\/unsubscribe\/[A-Za-z0-9_-]+>/);
    expect(mail!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail!.parsed?.from?.value[0]?.address).toBe('news@mailgate.example');
    expect(mail!.parsed?.html).toBeTruthy();
    expect(mail!.parsed?.text).toBeTruthy();
  });

  it('suppresses marketing to an address opted out of all, or unsubscribed from the type, and never hands it to SMTP', async () => {
    const optedOut = fresh('all');
    const unsubscribed = fresh('type');
    expect((await api('PATCH', `/v1/addresses/${optedOut}`, { optedOutOfAll: true })).status).toBe(200);
    expect((await api('PATCH', `/v1/addresses/${unsubscribed}`, { subscriptions: { newsletter: 'unsubscribed' } })).status).toBe(200);
    const a = await send(marketing(optedOut, { data: newsletterData() }));
    const b = await send(marketing(unsubscribed, { data: newsletterData() }));
    // unsubscribed from newsletter only: another type still goes out
    const c = await send(marketing(unsubscribed, { template: 'product-update', subscriptionType: 'product-updates', data: app.templates!.renderer.get('product-update')!.sampleData }));
    expect((await settled(a.body.id as string))).toMatchObject({ status: 'suppressed', reason: 'opted_out_of_all' });
    expect((await settled(b.body.id as string))).toMatchObject({ status: 'suppressed', reason: 'unsubscribed_from_type' });
    expect((await settled(c.body.id as string)).status).toBe('sent');
    expect(sink.to(optedOut)).toHaveLength(0);
    expect(sink.to(unsubscribed)).toHaveLength(1);

    // transactional and one-to-one are never blocked by an opt-out
    const t = await send({ kind: 'transactional', to: optedOut, template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData });
    const o = await send({ kind: 'one_to_one', to: optedOut, template: 'personal-note', data: app.templates!.renderer.get('personal-note')!.sampleData, locale: 'de' });
    expect((await settled(t.body.id as string)).status).toBe('sent');
    expect((await settled(o.body.id as string)).status).toBe('sent');
    expect(sink.to(optedOut)).toHaveLength(2);
  });

  it('decides at send time: an opt-out made after enqueue and before sendAt suppresses the message', async () => {
    const to = fresh('later');
    const due = Date.now() + 4000; // room for the PATCH on a loaded machine
    const sendAt = new Date(due).toISOString();
    const res = await send(marketing(to, { data: newsletterData(), sendAt }));
    expect(res.status).toBe(202);
    expect((await api('GET', `/v1/messages/${res.body.id as string}`)).body).toMatchObject({ status: 'queued', sendAt });
    expect((await api('PATCH', `/v1/addresses/${to}`, { optedOutOfAll: true })).status).toBe(200);
    expect(Date.now()).toBeLessThan(due); // the opt-out really came first
    const view = await settled(res.body.id as string);
    expect(view).toMatchObject({ status: 'suppressed', reason: 'opted_out_of_all' });
    expect(sink.to(to)).toHaveLength(0);
  });

  it('sends once for the same idempotency key, from the header or the body', async () => {
    const to = fresh('idem');
    const key = `order-${seq}-${Date.now()}`;
    const body = { kind: 'transactional', to, template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData };
    const first = await send(body, { 'idempotency-key': key });
    const second = await send({ ...body, idempotencyKey: key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect((await settled(first.body.id as string)).status).toBe('sent');
    const third = await send(body, { 'idempotency-key': key });
    expect(third.body).toEqual({ id: first.body.id, status: 'sent' });
    // a different key is a different message
    const other = await send(body, { 'idempotency-key': `${key}-b` });
    expect(other.body.id).not.toBe(first.body.id);
    await settled(other.body.id as string);
    expect(sink.to(to)).toHaveLength(2);
    expect((await send(body, { 'idempotency-key': key, 'x-ignored': '1' })).body.id).toBe(first.body.id);
    expect((await send({ ...body, idempotencyKey: 'other' }, { 'idempotency-key': key })).body).toMatchObject({ error: { code: 'idempotency_key_conflict' } });
  });

  it('marks a 550 5.1.1 failed and hard-bounces the address; later even transactional mail is suppressed', async () => {
    const to = fresh('bounce');
    sink.rejectRecipient(to, '550 5.1.1 <nobody> No such user here');
    const welcome = { kind: 'transactional', to, template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData };
    const first = await send(welcome);
    const view = await settled(first.body.id as string);
    expect(view).toMatchObject({ status: 'failed', reason: 'hard_bounce', attempts: 1 });
    expect(view.detail).toContain('5.1.1');
    const state = await api('GET', `/v1/addresses/${to}`);
    expect(state.body).toMatchObject({ suppression: { kind: 'hard_bounce', source: 'bounce' } });
    const history = await api('GET', `/v1/addresses/${to}/history`);
    expect(JSON.stringify(history.body)).toContain('bounce');

    sink.acceptRecipient(to);
    const second = await send(welcome);
    expect(await settled(second.body.id as string)).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(sink.to(to)).toHaveLength(0);
  });

  it('fails a message on another permanent reply without touching the address', async () => {
    const to = fresh('policy');
    sink.rejectRecipient(to, '554 5.7.1 Rejected by policy');
    const res = await send({ kind: 'transactional', to, template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData });
    expect(await settled(res.body.id as string)).toMatchObject({ status: 'failed', reason: 'smtp_rejected' });
    const state = await api('GET', `/v1/addresses/${to}`);
    expect(state.body.suppression).toBeUndefined();
    sink.acceptRecipient(to);
  });

  it('retries a 4xx reply and sends once the server accepts', async () => {
    const to = fresh('later4xx');
    sink.rejectRecipient(to, '451 4.3.0 Try again later');
    const res = await send({ kind: 'transactional', to, template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData });
    const id = res.body.id as string;
    const deadline = Date.now() + 10_000;
    while ((await app.messages!.queues.get('transactional')!.getJob(id))?.attemptsMade !== 1) {
      if (Date.now() > deadline) throw new Error('first attempt did not fail');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await api('GET', `/v1/messages/${id}`)).body.status).toBe('queued');
    sink.acceptRecipient(to);
    expect(await settled(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.to(to)).toHaveLength(1);
  });

  it('answers per item in a batch: bad items are refused, good ones are sent', async () => {
    const good1 = fresh('b1');
    const good2 = fresh('b2');
    const welcome = (to: string, extra: Record<string, unknown> = {}) => ({ kind: 'transactional', to, template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData, ...extra });
    const key = `batch-${Date.now()}`;
    const res = await api('POST', '/v1/messages/batch', {
      messages: [
        welcome(good1),
        welcome('not an address'),
        { kind: 'marketing', to: good2, template: 'newsletter' },
        welcome(good2, { idempotencyKey: key }),
        welcome(good2, { idempotencyKey: key }),
        { ...welcome(good2), template: 'nope' },
        'not an object',
      ],
    });
    expect(res.status).toBe(202);
    const results = res.body.results as Record<string, unknown>[];
    expect(results).toHaveLength(7);
    expect(results[0]).toEqual({ id: expect.any(String), status: 'queued' });
    expect(results[1]).toMatchObject({ error: { code: 'invalid_address' } });
    expect(results[2]).toMatchObject({ error: { code: 'subscription_type_required' } });
    expect(results[3]).toEqual({ id: expect.any(String), status: 'queued' });
    expect((results[4] as { id: string }).id).toBe((results[3] as { id: string }).id);
    expect(results[5]).toMatchObject({ error: { code: 'unknown_template' } });
    expect(results[6]).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await settled((results[0] as { id: string }).id)).status).toBe('sent');
    expect((await settled((results[3] as { id: string }).id)).status).toBe('sent');
    expect(sink.to(good1)).toHaveLength(1);
    expect(sink.to(good2)).toHaveLength(1);
  });

  it('exposes outcomes and queue depth on /metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`, { headers: authHeaders })).text();
    expect(text).toMatch(/mailgate_messages_total\{kind="marketing",outcome="sent",reason=""\} \d+/);
    expect(text).toMatch(/mailgate_messages_total\{kind="marketing",outcome="suppressed",reason="opted_out_of_all"\} \d+/);
    expect(text).toMatch(/mailgate_send_duration_seconds_count\{kind="transactional"\} \d+/);
    expect(text).toMatch(/mailgate_send_queue_jobs\{stream="transactional",state="waiting"\} \d+/);
  });
});

describe('bad input on /v1/messages', () => {
  const welcome = () => ({ kind: 'transactional', to: fresh('bad'), template: 'welcome' });
  const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
    ['no API key', () => api('POST', '/v1/messages', welcome(), { authorization: '' }), 401, 'unauthorized'],
    ['wrong API key', () => api('POST', '/v1/messages', welcome(), { authorization: 'Bearer wrong-key-0123456789' }), 401, 'unauthorized'],
    ['an 11 MB body', () => send({ ...welcome(), data: { blob: 'x'.repeat(11 * 1024 * 1024) } }), 413, 'payload_too_large'],
    ['malformed JSON', () => api('POST', '/v1/messages', '{"kind":', {}), 400, 'malformed_json'],
    ['a non-JSON content type', () => api('POST', '/v1/messages', 'kind=marketing', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    ['marketing without a type', () => send({ kind: 'marketing', to: fresh('m'), template: 'newsletter' }), 422, 'subscription_type_required'],
    ['an unknown subscription type', () => send({ kind: 'marketing', to: fresh('m'), template: 'newsletter', subscriptionType: 'nope' }), 422, 'unknown_subscription_type'],
    ['a type that is not the template\'s', () => send({ kind: 'marketing', to: fresh('m'), template: 'newsletter', subscriptionType: 'events' }), 422, 'subscription_type_mismatch'],
    ['a type on transactional mail', () => send({ ...welcome(), subscriptionType: 'newsletter' }), 422, 'subscription_type_not_allowed'],
    ['header injection in to', () => send({ ...welcome(), to: 'ann@example.com\r\nBcc: all@example.com' }), 400, 'invalid_address'],
    ['a display name in to', () => send({ ...welcome(), to: 'Ann <ann@example.com>' }), 400, 'invalid_address'],
    ['two recipients', () => send({ ...welcome(), to: 'ann@example.com, bob@example.com' }), 400, 'invalid_address'],
    ['an unknown template', () => send({ ...welcome(), template: 'no-such-template' }), 422, 'unknown_template'],
    ['a template of another kind', () => send({ ...welcome(), kind: 'one_to_one' }), 422, 'template_kind_mismatch'],
    ['an unknown kind', () => send({ ...welcome(), kind: 'spam' }), 400, 'validation_failed'],
    ['an unknown field', () => send({ ...welcome(), bcc: 'x@example.com' }), 400, 'validation_failed'],
    ['a MongoDB operator', () => send({ ...welcome(), to: { $gt: '' } }), 400, 'operator_not_allowed'],
    ['a bad sendAt', () => send({ ...welcome(), sendAt: 'tomorrow' }), 400, 'validation_failed'],
    ['a bad locale', () => send({ ...welcome(), locale: 'fr' }), 400, 'validation_failed'],
    ['a bad from', () => send({ ...welcome(), from: 'x@y.com\nBcc: z@y.com' }), 400, 'invalid_address'],
    ['an empty batch', () => api('POST', '/v1/messages/batch', { messages: [] }), 400, 'validation_failed'],
    ['a batch over 1,000', () => api('POST', '/v1/messages/batch', { messages: Array.from({ length: 1001 }, welcome) }), 400, 'too_many_messages'],
    ['an unknown message id', () => api('GET', '/v1/messages/0123456789abcdef01234567'), 404, 'message_not_found'],
    ['a malformed message id', () => api('GET', '/v1/messages/..%2Fx'), 404, 'message_not_found'],
  ];
  it.each(cases)('refuses %s', async (_name, request, status, code) => {
    const before = await app.messages!.repository.model.countDocuments();
    const res = await request();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(await app.messages!.repository.model.countDocuments()).toBe(before);
  });
});
