import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import type { DeliveryView } from '../../src/webhooks/index.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('SSRF: with WEBHOOK_ALLOW_PRIVATE=false', () => {
  let app: TestApp;
  const { api } = apiClient(() => app);
  beforeAll(async () => {
    app = await startTestApp(testConfig('webhookssrf', { WEBHOOK_ALLOW_PRIVATE: 'false' }), { api: true, worker: false });
  });
  afterAll(async () => app?.stop());

  it.each([
    'http://127.0.0.1:8080/hooks',
    'http://10.1.2.3/hooks',
    'https://169.254.169.254/latest/meta-data',
    'http://[::1]:3000/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://192.168.1.1/x',
    'http://172.16.0.1/x',
    'http://0.0.0.0/x',
    'http://localhost:3000/x',
  ])('refuses %s with 422 naming the url, and stores nothing', async (url) => {
    const res = await api('POST', '/v1/webhooks', { url, events: ['message.sent'] });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_webhook_url', details: { field: 'url' } });
    expect((await api('GET', '/v1/webhooks')).body.webhooks).toEqual([]);
  });
});

describe('in production (NODE_ENV=production)', () => {
  let app: TestApp;
  const key = 'production-api-key-0123456789abcdef';
  const { api } = apiClient(() => app);
  beforeAll(async () => {
    app = await startTestApp(
      testConfig('webhookprod', { NODE_ENV: 'production', MAILGATE_API_KEY: key, MAILGATE_SECRET: 'production-secret-0123456789abcdef', WEBHOOK_ALLOW_PRIVATE: 'true' }),
      { api: true, worker: false },
    );
  });
  afterAll(async () => app?.stop());

  it('refuses an http URL (https only), naming the url; an https one is accepted', async () => {
    const headers = { authorization: `Bearer ${key}` };
    const refused = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:8080/hooks', events: ['message.sent'] }, headers);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'invalid_webhook_url', message: 'url: must be an https URL', details: { field: 'url' } });
    const accepted = await api('POST', '/v1/webhooks', { url: 'https://127.0.0.1:8443/hooks', events: ['message.sent'] }, headers);
    expect(accepted.status).toBe(201);
  });
});

describe('a receiver that hangs slows nothing else', () => {
  let app: TestApp;
  let sink: SmtpSink;
  let receiver: WebhookReceiver;
  const { api, send, settled } = apiClient(() => app);
  const TIMEOUT_MS = 8000;
  beforeAll(async () => {
    sink = await startSmtpSink();
    receiver = await startWebhookReceiver(() => 'hang');
    app = await startTestApp(
      testConfig('webhookhang', { SMTP_URL: sink.url, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_CONCURRENCY: '1', WEBHOOK_RETRY_SCHEDULE: '1s' }),
    );
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
    await sink?.close();
  });

  it('sends every message while the webhook attempt is still waiting for its timeout; the attempt then fails with timeout', async () => {
    const created = await api('POST', '/v1/webhooks', { url: receiver.url, events: ['message.sent'] });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const deliveries = async () => ((await api('GET', `/v1/webhooks/${id}/deliveries`)).body.deliveries as DeliveryView[]);
    const addresses = Array.from({ length: 20 }, (_, i) => `hang-${i}-${Date.now().toString(36)}@example.com`);
    const ids = await Promise.all(addresses.map((a) => send('transactional', a)));
    await eventually(() => receiver.received.length >= 1); // the first attempt is in flight, hanging
    const views = await Promise.all(ids.map((m) => settled(m)));
    expect(views.every((v) => v.status === 'sent')).toBe(true);
    expect(sink.count).toBe(20);
    // Every send is done, and the webhook worker is still inside its first attempt: not one attempt has timed out yet.
    const now = await deliveries();
    expect(now).toHaveLength(20);
    expect(now.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    expect(receiver.received).toHaveLength(1); // concurrency 1: the others wait their turn in the webhook queue only
    const timedOut = await eventually(async () => (await deliveries()).find((d) => d.attempts === 1), TIMEOUT_MS + 10_000);
    expect(timedOut).toMatchObject({ status: 'pending', lastError: 'timeout' });
    expect(timedOut).not.toHaveProperty('lastResponseCode');
  });
});
