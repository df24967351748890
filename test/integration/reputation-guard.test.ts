// The reputation guard's done-when (#23, docs/rules.md §13): a real app, a real SMTP sink, a real
// webhook receiver and the real, signed Mailgun feedback receiver. 2,000 marketing sends and 7
// complaints pause marketing within 5 s; 500 more wait in the queue while transactional still goes;
// a resume without an explanation is refused; one with it sends every held message exactly once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { mailgunSignature } from '../helpers/relay-signers.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const MAILGUN_KEY = 'key-mailgun-signing-reputation-0123';
const FIXTURES = resolve(import.meta.dirname, '../fixtures/feedback');
const PROVIDERS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'example.org'];

let app: Awaited<ReturnType<typeof startTestApp>>;
let sink: SmtpSink;
let hooks: WebhookReceiver;
const { api } = apiClient(() => app);
const run = Date.now().toString(36);

type Rated = { sends: number; hardBounces: number; softBounces: number; complaints: number; complaintRate: number; hardBounceRate: number };
type StreamView = { name: string; paused: boolean; state: string; pausedAt?: string; reason?: string; rates: Record<'24h' | '7d', Rated>; byProvider: Record<string, Record<'24h' | '7d', Rated>>; byDomain: Record<string, Record<'24h' | '7d', Rated>> };
const streams = async () => (await api('GET', '/v1/streams')).body.streams as StreamView[];
const marketing = async () => (await streams()).find((s) => s.name === 'marketing')!;
const queue = () => app.messages.queues.get('marketing')!;

/** Enqueues in batches of 1,000; returns the ids in order. */
async function enqueueMany(kind: 'marketing' | 'transactional', recipients: string[]): Promise<string[]> {
  const template = kind === 'marketing' ? 'newsletter' : 'welcome';
  const data = app.templates.renderer.get(template)!.sampleData;
  const ids: string[] = [];
  for (let i = 0; i < recipients.length; i += 1000) {
    const messages = recipients.slice(i, i + 1000).map((to) => ({ kind, to, template, data, ...(kind === 'marketing' ? { subscriptionType: 'newsletter' } : {}) }));
    const res = await api('POST', '/v1/messages/batch', { messages });
    expect(res.status).toBe(202);
    ids.push(...(res.body.results as { id: string }[]).map((r) => r.id));
  }
  return ids;
}

/** A Mailgun `complained` event about the message the sink received for `to`, signed as Mailgun signs it. */
async function complain(to: string): Promise<void> {
  const [mail] = sink.to(to);
  const body = JSON.parse(readFileSync(resolve(FIXTURES, 'mailgun-complained.json'), 'utf8')) as { signature: unknown; 'event-data': Record<string, unknown> };
  body.signature = mailgunSignature(MAILGUN_KEY);
  body['event-data'] = { ...body['event-data'], id: `cmp-${run}-${to}`, recipient: to, message: { headers: { 'message-id': mail!.header('message-id') } } };
  const res = await fetch(`${app.url}/v1/feedback/mailgun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  sink = await startSmtpSink({ parse: false });
  hooks = await startWebhookReceiver();
  app = await startTestApp(
    testConfig('reputation', { SMTP_URL: sink.url, WORKER_CONCURRENCY: '100', FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY, WEBHOOK_ALLOW_PRIVATE: 'true', MAIL_FROM: 'News <news@news.example>' }),
  );
  const endpoint = await api('POST', '/v1/webhooks', { url: hooks.url, events: ['sending.paused', 'sending.resumed'] });
  expect(endpoint.status).toBe(201);
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
  await hooks?.close();
});

describe('the reputation guard pauses a stream whose complaints cross the pause rate', () => {
  const first = Array.from({ length: 2000 }, (_, i) => `r${i}-${run}@${PROVIDERS[i % PROVIDERS.length]}`);
  const held = Array.from({ length: 500 }, (_, i) => `h${i}-${run}@gmail.com`);
  /** Probes sent until one is held: then every send process has seen the pause (its gate reads the state each second). */
  const probes: string[] = [];
  let heldIds: string[] = [];

  it('counts 2,000 marketing sends by provider group, and judges nothing yet', async () => {
    await enqueueMany('marketing', first);
    await sink.waitFor(2000, 120_000);
    const stream = await eventually(async () => {
      const s = await marketing();
      return s.rates['24h'].sends === 2000 ? s : undefined;
    });
    expect(stream).toMatchObject({ paused: false, state: 'ok', rates: { '24h': { sends: 2000, complaints: 0, hardBounces: 0 }, '7d': { sends: 2000 } } });
    // 400 to each provider group, all from the stream's one sending domain.
    for (const group of ['gmail', 'microsoft', 'yahoo', 'apple', 'other']) expect(stream.byProvider[group]).toMatchObject({ '24h': { sends: 400 }, '7d': { sends: 400 } });
    expect(Object.keys(stream.byDomain)).toEqual(['news.example']);
    expect(stream.byDomain['news.example']).toMatchObject({ '24h': { sends: 2000 } });
    const report = await app.ctx.db.collection('stream_guards').countDocuments({ state: { $ne: 'ok' } });
    expect(report).toBe(0);
  }, 180_000);

  it('7 complaints through the signed Mailgun receiver pause marketing within 5 s, told by GET /v1/streams and sending.paused', async () => {
    await Promise.all(first.slice(0, 7).map((to) => complain(to)));
    const started = Date.now();
    const paused = await eventually(async () => {
      const s = await marketing();
      return s.paused ? s : undefined;
    }, 5000, 50);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(5000);
    expect(paused).toMatchObject({ state: 'paused', reason: expect.stringMatching(/^complaint rate 0\.3\d* % over 24h \([67] of 2000 sends\), pause at 0\.3 %$/) });
    expect(paused.pausedAt).toBeDefined();

    const [hook] = await hooks.waitFor('stream:marketing', 1, 10_000);
    expect(hook!.body).toMatchObject({
      type: 'sending.paused',
      data: { address: 'stream:marketing', stream: 'marketing', by: 'guard', actor: 'guard', window: '24h', figures: { sends: 2000 }, topTemplates: [{ template: 'newsletter', subscriptionType: 'newsletter' }] },
    });
    const data = hook!.body.data as unknown as { figures: { complaints: number }; rates: { complaintRate: number } };
    expect(data.figures.complaints).toBeGreaterThanOrEqual(6);
    expect(data.rates.complaintRate).toBeGreaterThanOrEqual(0.003);
    // The audit: one pause (a warning may come first when the complaints arrive in more than one flush).
    const audit = await app.ctx.db.collection('stream_guard_events').find({ stream: 'marketing' }).sort({ at: 1 }).toArray();
    expect(audit.filter((e) => e.action === 'paused')).toHaveLength(1);
    expect(audit.at(-1)).toMatchObject({ action: 'paused', actor: 'guard', figures: { window: '24h', counts: { sends: 2000 } } });
    expect(await app.ctx.metrics.getSingleMetricAsString('mailgate_stream_paused')).toMatch(/mailgate_stream_paused\{stream="marketing"\} 1/);
    expect(await app.ctx.metrics.getSingleMetricAsString('mailgate_stream_guard_state')).toMatch(/mailgate_stream_guard_state\{stream="marketing"\} 2/);
  }, 30_000);

  it('holds 500 more marketing messages (and a probe) queued in the delayed set, none failed, while transactional is still sent', async () => {
    const probing = Date.now();
    await eventually(async () => {
      const probe = `p${probes.length}-${run}@gmail.com`;
      probes.push(probe);
      await enqueueMany('marketing', [probe]);
      const fate = await eventually(async () => (sink.to(probe).length > 0 ? 'sent' : ((await queue().getJobCounts('delayed')).delayed ?? 0) > 0 ? 'held' : undefined), 5000, 20);
      return fate === 'held';
    }, 10_000, 0);
    // Fleet-wide within about a second of the pause (the gate's refresh), not at the same instant.
    expect(Date.now() - probing).toBeLessThan(2500);
    held.push(probes.at(-1)!);
    heldIds = await enqueueMany('marketing', held.slice(0, 500));
    const transactional = Array.from({ length: 5 }, (_, i) => `t${i}-${run}@gmail.com`);
    await enqueueMany('transactional', transactional);
    await eventually(() => transactional.every((to) => sink.to(to).length === 1), 20_000);
    await eventually(async () => (await queue().getJobCounts('delayed')).delayed === 501, 30_000);
    expect(await queue().getJobCounts('failed', 'completed', 'delayed')).toMatchObject({ failed: 0, delayed: 501 });
    for (const id of heldIds.slice(0, 20)) expect((await api('GET', `/v1/messages/${id}`)).body).toMatchObject({ status: 'queued' });
    expect((await app.messages.repository.countByStatus()).queued).toBe(501);
    expect(held.filter((to) => sink.to(to).length > 0)).toHaveLength(0);
    expect(await app.ctx.metrics.getSingleMetricAsString('mailgate_stream_held_total')).toMatch(/stream="marketing",reason="guard_paused"\} (\d{3,})/);
  }, 60_000);

  it('refuses a resume without an explanation (422) and stays paused', async () => {
    for (const body of [{}, { explanation: '' }, { explanation: '   ' }]) {
      const res = await api('POST', '/v1/streams/marketing/resume', body);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: { code: 'explanation_required' } });
    }
    expect(await marketing()).toMatchObject({ paused: true });
    expect((await api('POST', '/v1/streams/nope/resume', { explanation: 'x' })).body).toMatchObject({ error: { code: 'unknown_stream' } });
    expect((await api('POST', '/v1/streams/marketing/pause', { explanation: 'again' })).status).toBe(409);
    expect((await api('POST', '/v1/streams/marketing/resume', { explanation: 'x', extra: 1 })).status).toBe(400);
    for (const body of [{ explanation: 5 }, { explanation: 'x'.repeat(2001) }]) expect((await api('POST', '/v1/streams/marketing/resume', body)).body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await api('POST', `/v1/streams/${'n'.repeat(500)}/resume`, { explanation: 'x' })).status).toBe(404);
    expect(await marketing()).toMatchObject({ paused: true });
  });

  it('a resume with an explanation sends every held message exactly once, and tells sending.resumed', async () => {
    const before = sink.count;
    const resumedAt = performance.now();
    const res = await api('POST', '/v1/streams/marketing/resume', { explanation: 'Stale list segment removed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'marketing', paused: false, state: 'ok' });
    await sink.waitFor(before + 501, 60_000);
    const firstSendMs = Math.min(...sink.arrivals.slice(before)) - resumedAt;
    // Measured: the gate reads the state each second, then promotes the held jobs (held-jobs.ts).
    expect(firstSendMs).toBeLessThan(3000);
    console.info(`reputation guard: resume → first held send ${Math.round(firstSendMs)} ms, all 501 ${Math.round(Math.max(...sink.arrivals.slice(before)) - resumedAt)} ms`);
    await eventually(async () => ((await app.messages.repository.countByStatus()).queued ?? 0) === 0, 30_000);
    expect(held.map((to) => sink.to(to).length)).toEqual(held.map(() => 1));
    const ids = new Set(held.map((to) => sink.to(to)[0]!.header('message-id')));
    expect(ids.size).toBe(501);
    expect(await queue().getJobCounts('failed', 'delayed')).toMatchObject({ failed: 0, delayed: 0 });

    const hooksNow = await hooks.waitFor('stream:marketing', 2, 10_000);
    expect(hooksNow[1]!.body).toMatchObject({ type: 'sending.resumed', data: { stream: 'marketing', by: 'operator', actor: expect.any(String), explanation: 'Stale list segment removed' } });
    const audit = await app.ctx.db.collection('stream_guard_events').find({ stream: 'marketing', action: 'resumed' }).toArray();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ explanation: 'Stale list segment removed' });
    expect((await api('POST', '/v1/streams/marketing/resume', { explanation: 'twice' })).body).toMatchObject({ error: { code: 'stream_not_paused' } });
  }, 120_000);

  it('an operator pauses by hand, with an explanation, and resumes', async () => {
    expect((await api('POST', '/v1/streams/transactional/pause', {})).status).toBe(422);
    const paused = await api('POST', '/v1/streams/transactional/pause', { explanation: 'Relay migration' });
    expect(paused).toMatchObject({ status: 200, body: { name: 'transactional', paused: true, reason: 'Relay migration' } });
    // Only marketing is held: a transactional message still goes on a paused stream.
    await enqueueMany('transactional', [`tp-${run}@gmail.com`]);
    await eventually(() => sink.to(`tp-${run}@gmail.com`).length === 1, 20_000);
    expect((await api('POST', '/v1/streams/transactional/resume', { explanation: 'Done' })).body).toMatchObject({ paused: false });
  }, 30_000);
});
