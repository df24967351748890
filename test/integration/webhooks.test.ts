import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startWebhookReceiver, type Answer, type ReceivedHook, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import type { DeliveryView } from '../../src/webhooks/index.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let app: TestApp;
let sink: SmtpSink;
const receivers: WebhookReceiver[] = [];
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
const { api, settled, send } = apiClient(() => app);
const store = () => app.subscriptions.store;

/** A receiver and an endpoint pointing at it; both go away after the test. */
async function endpoint(events: string[], answer?: (hook: ReceivedHook, index: number) => Answer) {
  const receiver = await startWebhookReceiver(answer);
  receivers.push(receiver);
  const res = await api('POST', '/v1/webhooks', { url: receiver.url, events, description: 'test' });
  expect(res.status).toBe(201);
  return { receiver, id: String(res.body.id), secret: String(res.body.secret) };
}

const deliveries = async (id: string, query = '') => (await api('GET', `/v1/webhooks/${id}/deliveries${query}`)).body as { deliveries: DeliveryView[]; nextCursor?: string };

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('webhooks', { SMTP_URL: sink.url, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms' }));
});

afterEach(async () => {
  const { body } = await api('GET', '/v1/webhooks');
  for (const w of body.webhooks as { id: string }[]) await api('DELETE', `/v1/webhooks/${w.id}`);
  for (const r of receivers.splice(0)) await r.close();
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('the endpoints API', () => {
  it('creates an endpoint and shows its whsec_ secret once; list and get never show it', async () => {
    const { id, secret } = await endpoint(['subscription.changed', 'message.sent']);
    expect(id).toMatch(/^whe_/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    const one = await api('GET', `/v1/webhooks/${id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id, events: ['subscription.changed', 'message.sent'], description: 'test', enabled: true });
    expect(one.body).not.toHaveProperty('secret');
    const list = await api('GET', '/v1/webhooks');
    expect(list.body.webhooks).toEqual([one.body]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
  });

  it('refuses unknown event names, non-http URLs and bad bodies, naming the field, and stores nothing', async () => {
    const unknown = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['message.sent', 'message.opened'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_event_type', details: { field: 'events', unknown: ['message.opened'] } });
    for (const url of ['ftp://example.com/x', 'not a url', 'javascript:alert(1)', 'http://user:pw@127.0.0.1:9/x']) {
      const res = await api('POST', '/v1/webhooks', { url, events: ['message.sent'] });
      expect(res.status, url).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'invalid_webhook_url', details: { field: 'url' } });
    }
    for (const body of [{ url: 'http://127.0.0.1:9/x' }, { url: 'http://127.0.0.1:9/x', events: [] }, { url: 'http://127.0.0.1:9/x', events: ['message.sent'], extra: 1 }, { events: ['message.sent'] }]) {
      const res = await api('POST', '/v1/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed' });
    }
    expect((await api('GET', '/v1/webhooks')).body.webhooks).toEqual([]);
  });

  it('answers 404 webhook_not_found for an unknown endpoint, and 401 without the API key', async () => {
    for (const [method, path] of [['GET', '/v1/webhooks/whe_nope'], ['DELETE', '/v1/webhooks/whe_nope'], ['GET', '/v1/webhooks/whe_nope/deliveries'], ['POST', '/v1/webhooks/whe_nope/deliveries/whd_x/retry']] as const) {
      const res = await api(method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'webhook_not_found' });
    }
    expect((await api('GET', '/v1/webhooks', undefined, {})).status).toBe(401);
  });
});

describe('delivery', () => {
  it('a one-click unsubscribe produces a subscription.changed whose signature verifies with the endpoint secret', async () => {
    const { receiver, secret } = await endpoint(['subscription.changed']);
    const address = fresh('oneclick');
    const token = app.ctx.tokens.sign({ k: 'u', a: address, m: 'msg_test', t: 'newsletter' });
    const res = await fetch(`${app.url}/unsubscribe/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    const [hook] = await receiver.waitFor(address, 1);
    expect(receiver.verify(hook!, secret)).toMatchObject({ type: 'subscription.changed' });
    expect(() => receiver.verify({ ...hook!, raw: hook!.raw.replace('unsubscribed', 'subscribed') }, secret)).toThrow();
    expect(hook!.headers['webhook-id']).toMatch(/^evt_/);
    expect(hook!.headers['webhook-signature']).toMatch(/^v1,/);
    const [event] = await store().history(address);
    expect(hook!.body).toMatchObject({
      type: 'subscription.changed',
      data: {
        address,
        source: 'one_click',
        consentEventId: event!.id,
        before: { optedOutOfAll: false, subscriptions: {}, suppression: null },
        after: { optedOutOfAll: false, subscriptions: { newsletter: 'unsubscribed' }, suppression: null },
      },
    });
  });

  it('retries a receiver that answers 500 twice: three requests, then delivered with attempts 3; listed newest first with a cursor', async () => {
    const { receiver, id } = await endpoint(['subscription.changed'], (_hook, i) => (i < 2 ? 500 : 200));
    const address = fresh('retry');
    await store().apply(address, { optedOutOfAll: true }, { source: 'api' });
    const hooks = await receiver.waitFor(address, 3);
    expect(new Set(hooks.map((h) => h.headers['webhook-id'])).size).toBe(1); // the same event each time
    const [delivery] = (await eventually(async () => ((await deliveries(id)).deliveries[0]?.status === 'delivered' ? deliveries(id) : undefined))).deliveries;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastResponseCode: 200, type: 'subscription.changed' });
    expect(delivery).not.toHaveProperty('lastError');

    await store().apply(address, { optedOutOfAll: false }, { source: 'api' });
    await receiver.waitFor(address, 4);
    const first = await deliveries(id, '?limit=1');
    expect(first.deliveries).toHaveLength(1);
    expect(first.deliveries[0]!.id).not.toBe(delivery!.id); // newest first
    const second = await deliveries(id, `?limit=1&cursor=${first.nextCursor}`);
    expect(second.deliveries.map((d) => d.id)).toEqual([delivery!.id]);
    expect(second.nextCursor).toBeUndefined();
    expect((await api('GET', `/v1/webhooks/${id}/deliveries?cursor=garbage`)).status).toBe(400);
    expect((await api('GET', `/v1/webhooks/${id}/deliveries?limit=0`)).status).toBe(400);
  });

  it('keeps the order per address: later events wait while the first is retried', async () => {
    const { receiver } = await endpoint(['subscription.changed'], (_hook, i) => (i === 0 ? 503 : 200));
    const address = fresh('order');
    const types = ['newsletter', 'events', 'product-updates'];
    for (const type of types) await store().apply(address, { subscriptions: { [type]: 'unsubscribed' } }, { source: 'api' });
    const hooks = await receiver.waitFor(address, 4);
    const changed = hooks.map((h) => Object.keys((h.body.data.after as { subscriptions: Record<string, string> }).subscriptions).length);
    // The first event twice (refused, then accepted), then the second and third: never out of order.
    expect(changed).toEqual([1, 1, 2, 3]);
  });

  it('deleting the endpoint stops its deliveries', async () => {
    const { receiver, id } = await endpoint(['subscription.changed'], () => 500);
    const address = fresh('deleted');
    await store().apply(address, { optedOutOfAll: true }, { source: 'api' });
    await receiver.waitFor(address, 2);
    expect((await api('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    const seen = receiver.received.length;
    // Its retry job wakes, finds nothing to send, and is gone: the queue runs dry.
    await eventually(async () => {
      const counts = await app.ctx.redis.keys(`${app.ctx.config.queuePrefix}:webhooks:whd_*`);
      return counts.length === 0;
    });
    await store().apply(address, { optedOutOfAll: false }, { source: 'api' });
    const other = await endpoint(['subscription.changed']);
    await store().apply(address, { optedOutOfAll: true }, { source: 'api' });
    await other.receiver.waitFor(address, 1);
    expect(receiver.received.length).toBeLessThanOrEqual(seen + 1); // at most the attempt already in flight
    expect((await api('GET', `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it('tells message.sent and message.suppressed for real sends', async () => {
    const { receiver, secret } = await endpoint(['message.sent', 'message.suppressed']);
    const address = fresh('sends');
    const sentId = await send('transactional', address);
    expect(await settled(sentId)).toMatchObject({ status: 'sent' });
    await store().apply(address, { optedOutOfAll: true }, { source: 'api' });
    const suppressedId = await send('marketing', address);
    expect(await settled(suppressedId)).toMatchObject({ status: 'suppressed' });
    const hooks = await receiver.waitFor(address, 2);
    expect(sink.to(address)).toHaveLength(1);
    for (const hook of hooks) expect(receiver.verify(hook, secret)).toBeTruthy();
    expect(hooks.map((h) => h.body)).toEqual([
      expect.objectContaining({ type: 'message.sent', data: expect.objectContaining({ address, messageId: sentId, kind: 'transactional', template: 'welcome' }) }),
      expect.objectContaining({
        type: 'message.suppressed',
        data: expect.objectContaining({ address, messageId: suppressedId, kind: 'marketing', subscriptionType: 'newsletter', reason: 'opted_out_of_all' }),
      }),
    ]);
    expect(receiver.received.some((h) => h.body.type === 'subscription.changed')).toBe(false); // not subscribed to it
  });

  it('fails a delivery after the last attempt of the schedule; retry re-sends it (202) and it is delivered', async () => {
    const { receiver, id } = await endpoint(['subscription.changed'], () => 500);
    const address = fresh('failed');
    await store().apply(address, { optedOutOfAll: true }, { source: 'api' });
    const failed = await eventually(async () => (await deliveries(id)).deliveries.find((d) => d.status === 'failed'));
    expect(failed).toMatchObject({ attempts: 4, lastResponseCode: 500, lastError: 'http_500' });
    expect(failed).not.toHaveProperty('nextAttemptAt');
    expect(receiver.about(address)).toHaveLength(4);

    receiver.answerWith(() => 200);
    const res = await api('POST', `/v1/webhooks/${id}/deliveries/${failed.id}/retry`, {});
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    await receiver.waitFor(address, 5);
    expect(await eventually(async () => (await deliveries(id)).deliveries.find((d) => d.status === 'delivered'))).toMatchObject({ id: failed.id, attempts: 1 });
    const missing = await api('POST', `/v1/webhooks/${id}/deliveries/whd_nope/retry`, {});
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'delivery_not_found' });
  });

  it('tells message.failed for a permanent SMTP refusal, then message.bounced from relay feedback, with the address change', async () => {
    const { receiver } = await endpoint(['message.failed', 'message.bounced', 'subscription.changed']);
    const address = fresh('bounce');
    sink.rejectRecipient(address, '550 5.7.1 Policy refusal');
    const failedId = await send('transactional', address);
    expect(await settled(failedId)).toMatchObject({ status: 'failed', reason: 'smtp_rejected' });
    sink.acceptRecipient(address);
    const sentId = await send('transactional', address);
    expect(await settled(sentId)).toMatchObject({ status: 'sent' });
    expect((await api('POST', '/v1/feedback', { address, type: 'hard_bounce', messageId: sentId, detail: '550 5.1.1 no such user', eventId: `b-${sentId}` })).status).toBe(202);
    const hooks = await receiver.waitFor(address, 3);
    expect(hooks.map((h) => h.body.type)).toEqual(['message.failed', 'subscription.changed', 'message.bounced']);
    expect(hooks[0]!.body.data).toMatchObject({ messageId: failedId, reason: 'smtp_rejected' });
    expect(hooks[1]!.body.data).toMatchObject({ source: 'bounce', after: { suppression: { kind: 'hard_bounce' } } });
    expect(hooks[2]!.body.data).toMatchObject({ messageId: sentId, kind: 'transactional', template: 'welcome' });
  });

  it('tells every change of a batch (imports), each address in order', async () => {
    const { receiver } = await endpoint(['subscription.changed']);
    const [a, b] = [fresh('bulk-a'), fresh('bulk-b')];
    const results = await store().applyMany([
      { address: a, change: { subscriptions: { newsletter: 'subscribed' } }, context: { source: 'bulk_import' } },
      { address: b, change: { optedOutOfAll: true }, context: { source: 'bulk_import' } },
      { address: a, change: { subscriptions: { newsletter: 'unsubscribed' } }, context: { source: 'bulk_import' } },
    ]);
    expect(results).toEqual([{ changed: true }, { changed: true }, { changed: true }]);
    const [first, second] = await receiver.waitFor(a, 2);
    expect([first!.body.data.after, second!.body.data.after]).toMatchObject([{ subscriptions: { newsletter: 'subscribed' } }, { subscriptions: { newsletter: 'unsubscribed' } }]);
    expect((await receiver.waitFor(b, 1))[0]!.body.data).toMatchObject({ source: 'bulk_import', after: { optedOutOfAll: true } });
  });

  it('counts deliveries by outcome in mailgate_webhook_deliveries_total', async () => {
    const text = await app.ctx.metrics.metrics();
    expect(text).toMatch(/mailgate_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(text).toMatch(/mailgate_webhook_deliveries_total\{outcome="retry"\} [1-9]/);
    expect(text).toMatch(/mailgate_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
  });
});
