// Streams (docs/rules.md §12): each stream leaves through its own relay with its own identity, and
// a message's record and view name its stream and the relay that took it.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { ConfigError } from '../../src/config.ts';
import type { MessageView } from '../../src/messages/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.ts';

const pem = () => generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey.replace(/\n/g, '\\n');

let transactionalSink: SmtpSink;
let marketingSink: SmtpSink;
let updatesSink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;

const env = (sinks: { t: SmtpSink; m: SmtpSink; u: SmtpSink }) => ({
  STREAMS: 'transactional,marketing,updates',
  // The single settings: what the transactional stream falls back to.
  SMTP_URL: sinks.t.url,
  MAIL_FROM: 'Shop <shop@shop.example>',
  DKIM_DOMAIN: 'shop.example',
  DKIM_SELECTOR: 'tx2026',
  DKIM_PRIVATE_KEY: pem(),
  BOUNCE_DOMAIN: 'bounces.shop.example',
  // Marketing: a relay and an identity of its own.
  STREAM_MARKETING_SMTP_URL: sinks.m.url,
  STREAM_MARKETING_MAIL_FROM: 'News <news@news.example>',
  STREAM_MARKETING_DKIM_DOMAIN: 'news.example',
  STREAM_MARKETING_DKIM_SELECTOR: 'mk2026',
  STREAM_MARKETING_DKIM_PRIVATE_KEY: pem(),
  STREAM_MARKETING_BOUNCE_DOMAIN: 'bounces.news.example',
  // A third stream that claims one subscription type.
  STREAM_UPDATES_TYPES: 'product-updates',
  STREAM_UPDATES_SMTP_URL: sinks.u.url,
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${app.url}${path}`, { method, headers: { ...authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const sampleData = (template: string) => app.templates.renderer.get(template)!.sampleData;
const enqueue = async (message: Record<string, unknown>) => {
  const res = await api('POST', '/v1/messages', { data: sampleData(message.template as string), ...message });
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const view = async (id: string) => (await api('GET', `/v1/messages/${id}`)).body as unknown as MessageView;
const sent = (id: string) => eventually(async () => ((await view(id)).status === 'sent' ? view(id) : undefined), 20_000, 50);

/** The DKIM-Signature tags of a received mail, e.g. `d`, `s`. */
const dkim = (mail: ReceivedMail): Record<string, string> =>
  Object.fromEntries((mail.header('dkim-signature') ?? '').split(';').map((part) => part.replace(/\s+/g, '').split('=')).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k!, v.join('=')]));

beforeAll(async () => {
  [transactionalSink, marketingSink, updatesSink] = await Promise.all([startSmtpSink(), startSmtpSink(), startSmtpSink()]);
  app = await startTestApp(testConfig('streams', env({ t: transactionalSink, m: marketingSink, u: updatesSink })));
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([transactionalSink?.close(), marketingSink?.close(), updatesSink?.close()]);
});

describe('a relay and an identity per stream', () => {
  it('sends marketing and transactional through two relays, each with its own From, DKIM d= and VERP domain', async () => {
    const reader = fresh('reader');
    const welcomeId = await enqueue({ kind: 'transactional', to: reader, template: 'welcome' });
    const newsId = await enqueue({ kind: 'marketing', to: reader, template: 'newsletter', subscriptionType: 'newsletter' });
    await Promise.all([sent(welcomeId), sent(newsId)]);

    const [welcome] = transactionalSink.to(reader);
    const [news] = marketingSink.to(reader);
    expect(transactionalSink.to(reader)).toHaveLength(1);
    expect(marketingSink.to(reader)).toHaveLength(1);
    const tag = (id: string) => app.ctx.messageTags.tag(id);

    expect(welcome!.parsed?.from?.value[0]?.address).toBe('shop@shop.example');
    expect(dkim(welcome!)).toMatchObject({ d: 'shop.example', s: 'tx2026' });
    expect(welcome!.from).toBe(`bounces+${welcomeId}.${tag(welcomeId)}@bounces.shop.example`);
    expect(welcome!.header('message-id')).toBe(`<${welcomeId}.${tag(welcomeId)}@shop.example>`);

    expect(news!.parsed?.from?.value[0]?.address).toBe('news@news.example');
    expect(dkim(news!)).toMatchObject({ d: 'news.example', s: 'mk2026' });
    expect(news!.from).toBe(`bounces+${newsId}.${tag(newsId)}@bounces.news.example`);
    expect(news!.header('message-id')).toBe(`<${newsId}.${tag(newsId)}@news.example>`);
    expect(news!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('GET /v1/messages/:id names the stream and the relay that took the message', async () => {
    const to = fresh('view');
    const oneToOne = await enqueue({ kind: 'one_to_one', to, template: 'personal-note' });
    const news = await enqueue({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter' });
    expect(await view(news)).toMatchObject({ status: 'queued', stream: 'marketing' });
    expect(await sent(oneToOne)).toMatchObject({ stream: 'transactional', relay: `smtp://127.0.0.1:${transactionalSink.port}` });
    expect(await sent(news)).toMatchObject({ stream: 'marketing', relay: `smtp://127.0.0.1:${marketingSink.port}` });
  });

  it('routes marketing of a type a third stream claims to that stream, over kind routing', async () => {
    const to = fresh('updates');
    const update = await enqueue({ kind: 'marketing', to, template: 'product-update', subscriptionType: 'product-updates' });
    const news = await enqueue({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter' });
    expect(await sent(update)).toMatchObject({ stream: 'updates', relay: `smtp://127.0.0.1:${updatesSink.port}` });
    expect(await sent(news)).toMatchObject({ stream: 'marketing' });
    expect(updatesSink.to(to)).toHaveLength(1);
    expect(marketingSink.to(to)).toHaveLength(1);
    // The third stream has no identity of its own: it falls back to the single settings.
    expect(updatesSink.to(to)[0]!.parsed?.from?.value[0]?.address).toBe('shop@shop.example');
  });
});

describe('start-up checks the catalog', () => {
  it('refuses a stream that claims an unknown subscription type, with one line naming the variable', async () => {
    const config = testConfig('streamtype', { STREAMS: 'transactional,marketing,updates', STREAM_UPDATES_TYPES: 'product-updates,nope' });
    const started = createApp(config, { api: false, worker: false });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/^invalid configuration: STREAM_UPDATES_TYPES: unknown subscription type "nope"$/);
  });

  it('refuses a worker told to serve a stream STREAMS does not name', async () => {
    const started = createApp(testConfig('streamarg'), { api: false, worker: true, queues: ['send'], streams: ['transactional', 'newsletters'] });
    await expect(started).rejects.toThrow(/^invalid configuration: --stream: "newsletters" is not in STREAMS \(transactional, marketing\)$/);
  });
});
