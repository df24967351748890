// Relay failover through a real stream (docs/rules.md §12): the transactional stream has a primary
// and a fallback relay. The primary is stopped mid-run: the stream fails over, every message arrives
// exactly once across the two relays, the console says so, and once the primary is back (and the
// cool-off has passed) the stream returns to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import type { MessageView } from '../../src/messages/index.ts';

let primary: SmtpSink;
let fallback: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
let seq = 0;

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${app.url}${path}`, { method, headers: { ...authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const send = async (): Promise<string> => {
  const res = await api('POST', '/v1/messages', { kind: 'transactional', to: `fo-${seq++}@example.com`, template: 'welcome', data: app.templates.renderer.get('welcome')!.sampleData });
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const view = async (id: string) => (await api('GET', `/v1/messages/${id}`)).body as unknown as MessageView;
const allSent = (ids: string[]) => eventually(async () => ((await Promise.all(ids.map(view))).every((v) => v.status === 'sent') ? true : undefined), 60_000, 100);
/** Message ids (our Message-ID's local part) each sink received, with repeats. */
const received = (sink: SmtpSink) => sink.messages.map((m) => /^<([0-9a-f]{24})[.@]/.exec(m.header('message-id') ?? '')?.[1] ?? '?');

beforeAll(async () => {
  primary = await startSmtpSink();
  fallback = await startSmtpSink();
  app = await startTestApp(
    testConfig('streamfo', {
      SMTP_URL: primary.url,
      // Timeouts short enough that a stopped relay is noticed at once; a one-second cool-off.
      STREAM_TRANSACTIONAL_SMTP_URL: `${primary.url}?connectionTimeout=2000&greetingTimeout=2000`,
      STREAM_TRANSACTIONAL_SMTP_FALLBACK_URL: fallback.url,
      STREAM_TRANSACTIONAL_FAILOVER_COOL_OFF_SECONDS: '1',
    }),
    { api: true, worker: true },
  );
});

afterAll(async () => {
  await app?.stop();
  await primary?.close();
  await fallback?.close();
});

describe('a stream with a fallback relay', () => {
  it('fails over when the primary stops, sends every message exactly once, shows it, and returns to the primary', { timeout: 120_000 }, async () => {
    const first = await Promise.all(Array.from({ length: 10 }, () => send()));
    await allSent(first);
    expect(received(primary).sort()).toEqual([...first].sort());

    const port = primary.port;
    await primary.close();
    const during = await Promise.all(Array.from({ length: 20 }, () => send()));
    await allSent(during);
    // Every message exactly once across the two relays; the ones sent while the primary was down went to the fallback.
    const all = [...received(primary), ...received(fallback)];
    expect(all.sort()).toEqual([...first, ...during].sort());
    expect(received(fallback).sort()).toEqual([...during].sort());
    const views = await Promise.all(during.map(view));
    expect(new Set(views.map((v) => v.relay))).toEqual(new Set([fallback.url]));

    // Counted (the console's activity page reads the same shared state: test/e2e/console.test.ts shows the streams table).
    const metrics = await app.ctx.metrics.getSingleMetricAsString('mailgate_relay_failovers_total');
    expect(metrics).toMatch(/mailgate_relay_failovers_total\{stream="transactional",to="secondary"\} 1/);

    // The primary comes back on its port; after the cool-off the next sends probe it and return to it.
    primary = await startSmtpSink({ port });
    const back = await eventually(
      async () => {
        const id = await send();
        await allSent([id]);
        return (await view(id)).relay === `smtp://127.0.0.1:${port}` ? id : undefined;
      },
      30_000,
      500,
    );
    expect(received(primary)).toContain(back);
    const after = await Promise.all(Array.from({ length: 5 }, () => send()));
    await allSent(after);
    expect(received(primary)).toEqual(expect.arrayContaining(after));
    expect(received(fallback)).not.toEqual(expect.arrayContaining([back, ...after]));
  });
});
