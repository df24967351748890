import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntryPoint } from '../helpers/processes.ts';
import { startTestApp } from '../helpers/app.ts';
import { TEST_API_KEY, authHeaders, testConfig } from '../helpers/env.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;

/** A one-click unsubscribe sent with a forged X-Forwarded-For; returns the IP its consent event recorded. */
async function recordedIp(app: TestApp, forwardedFor: string): Promise<string | undefined> {
  const address = fresh('proxy');
  const token = app.ctx.tokens.sign({ k: 'u', a: address, m: 'msg_proxy', t: 'newsletter' });
  const res = await fetch(`${app.url}/unsubscribe/${token}`, {
    method: 'POST',
    body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
  });
  expect(res.status).toBe(200);
  const [event] = await app.subscriptions.store.history(address);
  expect(event).toMatchObject({ source: 'one_click' });
  return (event as { ip?: string }).ip;
}

describe('TRUST_PROXY decides whose X-Forwarded-For is believed', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.stop();
  });

  it('by default ignores X-Forwarded-For: the consent event records the connecting peer', async () => {
    const app = await startTestApp(testConfig('trustnone'), { api: true, worker: false });
    apps.push(app);
    const ip = await recordedIp(app, '198.51.100.23');
    expect(ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
  });

  it('with TRUST_PROXY=loopback believes the loopback proxy', async () => {
    const app = await startTestApp(testConfig('trustloop', { TRUST_PROXY: 'loopback' }), { api: true, worker: false });
    apps.push(app);
    expect(await recordedIp(app, '198.51.100.24')).toBe('198.51.100.24');
  });

  it('with a hop count of 1 believes only the last hop the proxy appended', async () => {
    const app = await startTestApp(testConfig('trusthop', { TRUST_PROXY: '1' }), { api: true, worker: false });
    apps.push(app);
    // the client forged 203.0.113.1; the proxy appended the address it saw
    expect(await recordedIp(app, '203.0.113.1, 198.51.100.25')).toBe('198.51.100.25');
  });
});

describe('/metrics is not public', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(testConfig('metricsauth', { METRICS_TOKEN, METRICS_PORT: '0' }), { api: true, worker: false });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('answers 401 without a bearer key, or with a wrong one', async () => {
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-key-0123456789' }, { authorization: `Basic ${TEST_API_KEY}` }];
    for (const headers of refused) {
      const res = await fetch(`${app.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain('mailgate_');
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('serves the API key and METRICS_TOKEN', async () => {
    for (const headers of [authHeaders, { authorization: `Bearer ${METRICS_TOKEN}` }]) {
      const res = await fetch(`${app.url}/metrics`, { headers });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('mailgate_process_cpu_user_seconds_total');
    }
  });

  it('METRICS_TOKEN opens /metrics only, not the API', async () => {
    const res = await fetch(`${app.url}/v1/subscription-types`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(401);
  });

  it('serves /metrics without auth on METRICS_PORT (bound to 127.0.0.1), and nothing else there', async () => {
    expect(app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${app.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('mailgate_process_cpu_user_seconds_total');
    for (const path of ['/healthz', '/v1/subscription-types', `/unsubscribe/x`]) {
      expect((await fetch(`${app.metricsUrl}${path}`, { headers: authHeaders })).status).toBe(404);
    }
  });
});

describe('a production start with a placeholder secret', () => {
  it.each([
    ['MAILGATE_SECRET', { MAILGATE_SECRET: 'change-me-local-secret-0123456789', MAILGATE_API_KEY: 'k'.repeat(48) }],
    ['MAILGATE_API_KEY', { MAILGATE_SECRET: 's'.repeat(64), MAILGATE_API_KEY: 'change-me-local-api-key' }],
  ])('prints one line naming %s and exits 1', { timeout: 60_000 }, async (name, env) => {
    const { code, stderrLines: lines } = await runEntryPoint({ ...process.env, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1025', ...env });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${name}: `));
  });
});
