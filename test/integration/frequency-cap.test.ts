// Frequency caps (docs/rules.md §13): at most N marketing messages per normalized mailbox in a
// rolling window, overall and per type; over the cap suppressed (`frequency_capped`) or held until
// the window frees. A real app, real Redis, real FerretDB and a real SMTP sink.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { ConfigError } from '../../src/config.ts';
import type { MessageView } from '../../src/messages/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
const FINAL = new Set(['sent', 'suppressed', 'failed']);

/** The HTTP API of one app: enqueue, view, wait until final. */
function client(app: TestApp) {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: { ...authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const enqueue = async (message: Record<string, unknown>) => {
    const res = await api('POST', '/v1/messages', { data: app.templates.renderer.get(message.template as string)!.sampleData, ...message });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const view = async (id: string) => (await api('GET', `/v1/messages/${id}`)).body as unknown as MessageView;
  const settled = (id: string) => eventually(async () => { const v = await view(id); return FINAL.has(v.status) ? v : undefined; }, 20_000, 50);
  const news = (to: string, extra: Record<string, unknown> = {}) => enqueue({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter', ...extra });
  return { api, enqueue, view, settled, news };
}

/** A counter's value from the app's own registry (0 when it has no sample for these labels). */
async function counter(app: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const metric = app.ctx.metrics.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('FREQUENCY_CAP=3/7d with a per-type cap (suppress)', () => {
  let sink: SmtpSink;
  let app: TestApp;
  let c: ReturnType<typeof client>;
  let prefix: string;
  beforeAll(async () => {
    sink = await startSmtpSink();
    const config = testConfig('fcap', { SMTP_URL: sink.url, FREQUENCY_CAP: '3/7d', FREQUENCY_CAP_TYPES: 'product-updates=1/7d' });
    prefix = config.queuePrefix;
    app = await startTestApp(config);
    c = client(app);
  });
  afterAll(async () => {
    await app?.stop();
    await sink?.close();
  });

  it('5 marketing messages to one address: exactly 3 sent, 2 suppressed `frequency_capped` with that rule as their decision', async () => {
    const to = fresh('five');
    const ids = await Promise.all(Array.from({ length: 5 }, () => c.news(to)));
    const views = await Promise.all(ids.map((id) => c.settled(id)));
    const sent = views.filter((v) => v.status === 'sent');
    const capped = views.filter((v) => v.status === 'suppressed');
    expect(sent).toHaveLength(3);
    expect(capped).toHaveLength(2);
    for (const v of sent) expect(v.decision).toMatchObject({ rule: 'not_specified_opt_out_mode', frequencyCap: 'counted' });
    for (const v of capped) {
      expect(v.reason).toBe('frequency_capped');
      expect(v.decision).toMatchObject({ rule: 'frequency_capped', consentMode: 'opt-out' });
      expect(v.decision?.frequencyCap).toBeUndefined();
    }
    expect(sink.to(to)).toHaveLength(3);
    expect(await counter(app, 'mailgate_frequency_capped_total', { stream: 'marketing', action: 'suppress' })).toBeGreaterThanOrEqual(2);
  });

  it('counts the mailbox, not its spelling: ann+x@ and ann@ share one cap', async () => {
    const local = `ann-${Date.now().toString(36)}-${seq++}`;
    const spellings = [`${local}@example.com`, `${local}+x@example.com`, `${local}+news@example.com`, `${local}+x@example.com`];
    const views = [];
    for (const to of spellings) views.push(await c.settled(await c.news(to)));
    expect(views.map((v) => v.status)).toEqual(['sent', 'sent', 'sent', 'suppressed']);
    expect(views[3]!.reason).toBe('frequency_capped');
  });

  it('never caps transactional or one-to-one mail, nor counts it against marketing', async () => {
    const to = fresh('tx');
    const welcome = () => c.enqueue({ kind: 'transactional', to, template: 'welcome' });
    // Three first: were they counted, no marketing could follow.
    for (const id of await Promise.all([welcome(), welcome(), c.enqueue({ kind: 'one_to_one', to, template: 'personal-note' })])) {
      expect(await c.settled(id)).toMatchObject({ status: 'sent' });
    }
    for (let i = 0; i < 3; i++) expect((await c.settled(await c.news(to))).status).toBe('sent');
    // The cap is full now; transactional still goes, uncounted.
    const late = await c.settled(await welcome());
    expect(late.status).toBe('sent');
    expect(late.decision).toMatchObject({ rule: 'transactional' });
    expect(late.decision?.frequencyCap).toBeUndefined();
    expect((await c.settled(await c.news(to))).reason).toBe('frequency_capped');
    expect(sink.to(to)).toHaveLength(7);
  });

  it('bypassFrequencyCap: sent and counted (a later normal one is capped), sent even over a full cap, and shown on the message', async () => {
    const to = fresh('bypass');
    for (let i = 0; i < 2; i++) expect((await c.settled(await c.news(to))).status).toBe('sent');
    const bypass = await c.settled(await c.news(to, { bypassFrequencyCap: true }));
    expect(bypass).toMatchObject({ status: 'sent', bypassFrequencyCap: true, decision: { frequencyCap: 'bypassed' } });
    // The bypass took the third slot.
    expect(await c.settled(await c.news(to))).toMatchObject({ status: 'suppressed', reason: 'frequency_capped' });
    // Over a full cap a bypass still goes.
    expect(await c.settled(await c.news(to, { bypassFrequencyCap: true }))).toMatchObject({ status: 'sent', decision: { frequencyCap: 'bypassed' } });
    const normal = await c.view(await c.news(fresh('plain')));
    expect(normal.bypassFrequencyCap).toBeUndefined();
    expect(sink.to(to)).toHaveLength(4);
  });

  it('documents the field and the reason in the API reference', async () => {
    interface Schema { type?: string | string[]; enum?: string[]; properties?: Record<string, Schema> }
    const doc = (await (await fetch(`${app.url}/v1/openapi.json`)).json()) as { components: { schemas: Record<string, Schema> } };
    const { MessageInput, Message } = doc.components.schemas;
    expect(MessageInput?.properties?.bypassFrequencyCap).toMatchObject({ type: 'boolean' });
    expect(Message?.properties?.bypassFrequencyCap).toMatchObject({ type: 'boolean' });
    const decision = Message?.properties?.decision?.properties;
    expect(decision?.rule?.enum).toContain('frequency_capped');
    expect(decision?.frequencyCap?.enum).toEqual(['counted', 'bypassed']);
  });

  it('refuses a bypassFrequencyCap that is not a boolean', async () => {
    const res = await c.api('POST', '/v1/messages', { kind: 'marketing', to: fresh('bad'), template: 'newsletter', subscriptionType: 'newsletter', data: {}, bypassFrequencyCap: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('a per-type cap: one product update per 7 days, while the overall cap still lets a newsletter go', async () => {
    const to = fresh('typed');
    const update = () => c.enqueue({ kind: 'marketing', to, template: 'product-update', subscriptionType: 'product-updates' });
    expect((await c.settled(await update())).status).toBe('sent');
    expect(await c.settled(await update())).toMatchObject({ status: 'suppressed', reason: 'frequency_capped', decision: { rule: 'frequency_capped' } });
    expect((await c.settled(await c.news(to))).status).toBe('sent');
    expect((await c.settled(await c.news(to))).status).toBe('sent');
    // Overall: the update and two newsletters fill 3/7d (the capped update took no slot).
    expect((await c.settled(await c.news(to))).reason).toBe('frequency_capped');
  });

  it('gives the slot back when the relay refuses the message for good: the next one goes', async () => {
    const to = fresh('refused');
    for (let i = 0; i < 2; i++) expect((await c.settled(await c.news(to))).status).toBe('sent');
    sink.rejectRecipient(to, '554 5.7.1 Rejected by policy');
    expect(await c.settled(await c.news(to))).toMatchObject({ status: 'failed', reason: 'smtp_rejected' });
    sink.acceptRecipient(to);
    expect((await c.settled(await c.news(to))).status).toBe('sent');
    expect((await c.settled(await c.news(to))).reason).toBe('frequency_capped');
    expect(sink.to(to)).toHaveLength(3);
  });

  it('keeps the address out of Redis: the keys are a keyed hash under the queue prefix, sharing one hash tag', async () => {
    const to = fresh('keys');
    await c.settled(await c.enqueue({ kind: 'marketing', to, template: 'product-update', subscriptionType: 'product-updates' }));
    const redis = new Redis(app.ctx.config.redisUrl);
    try {
      const keys = await redis.keys(`${prefix}:fcap:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:fcap:\\{[0-9a-f]{32}\\}(:product-updates)?$`));
      expect(keys.some((k) => k.includes('example'))).toBe(false);
      const typed = keys.filter((k) => k.endsWith(':product-updates'));
      const tags = new Set(typed.map((k) => k.slice(0, k.indexOf('}') + 1)));
      for (const tag of tags) expect(keys).toContain(tag);
      // Each set expires with its window.
      const ttl = await redis.pttl(typed[0]!);
      expect(ttl).toBeGreaterThan(6 * 86_400_000);
      expect(ttl).toBeLessThanOrEqual(7 * 86_400_000);
    } finally {
      redis.disconnect();
    }
  });
});

describe('FREQUENCY_CAP_ACTION=defer with a short window (1/3s)', () => {
  let sink: SmtpSink;
  let app: TestApp;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp(testConfig('fcapdefer', { SMTP_URL: sink.url, FREQUENCY_CAP: '1/3s', FREQUENCY_CAP_ACTION: 'defer' }));
    c = client(app);
  });
  afterAll(async () => {
    await app?.stop();
    await sink?.close();
  });

  it('holds the second message until the window frees, then sends it with its attempts unspent', async () => {
    const to = fresh('defer');
    const first = await c.settled(await c.news(to));
    expect(first.status).toBe('sent');
    const secondId = await c.news(to);
    // Held: the cap said defer, and the job waits in the delayed set.
    await eventually(() => counter(app, 'mailgate_stream_held_total', { stream: 'marketing', reason: 'frequency_capped' }), 10_000, 20);
    expect(await counter(app, 'mailgate_frequency_capped_total', { stream: 'marketing', action: 'defer' })).toBeGreaterThanOrEqual(1);
    expect(await c.view(secondId)).toMatchObject({ status: 'queued' });
    expect(sink.to(to)).toHaveLength(1);

    const second = await c.settled(secondId);
    expect(second).toMatchObject({ status: 'sent', attempts: 1, decision: { frequencyCap: 'counted' } });
    const [a, b] = sink.to(to);
    expect(sink.to(to)).toHaveLength(2);
    // Not before the window freed: 3 s after the first took its slot (which was just before its SMTP write).
    expect(b!.receivedAt - a!.receivedAt).toBeGreaterThanOrEqual(2_800);
  });
});

describe('no cap configured', () => {
  let sink: SmtpSink;
  let app: TestApp;
  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp(testConfig('fcapnone', { SMTP_URL: sink.url }));
  });
  afterAll(async () => {
    await app?.stop();
    await sink?.close();
  });

  it('sends every marketing message; no cap is built, so nothing is counted in Redis', async () => {
    const c = client(app);
    const to = fresh('uncapped');
    const views = await Promise.all(Array.from({ length: 5 }, async () => c.settled(await c.news(to))));
    expect(views.map((v) => v.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    for (const v of views) expect(v.decision?.frequencyCap).toBeUndefined();
    // The cap's counter is registered only where a cap is built (composition/workers.ts).
    expect(app.ctx.metrics.getSingleMetric('mailgate_frequency_capped_total')).toBeUndefined();
    const redis = new Redis(app.ctx.config.redisUrl);
    try {
      expect(await redis.keys(`${app.ctx.config.queuePrefix}:fcap:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('start-up checks the caps against the catalog', () => {
  it('refuses a per-type cap on a type the catalog lacks, with one line naming the variable', async () => {
    const started = createApp(testConfig('fcaptype', { FREQUENCY_CAP_TYPES: 'newsletter=1/1d,nope=2/7d' }), { api: false, worker: false });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/^invalid configuration: FREQUENCY_CAP_TYPES: unknown subscription type "nope"$/);
  });
});
