// Drill: the reputation guard across a Redis outage (docs/rules.md §13). Counts made while Redis is
// away are kept and written once it is back; a pause lives in MongoDB, so a Redis that restarts empty
// (no append-only file: every queue key and counter gone) still finds the stream paused and its
// marketing held, while transactional goes.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createApp, type App } from '../../src/app.ts';
import { ReputationCounters, ReputationReader } from '../../src/reputation/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { dropTestDatabase } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually, startRedis } from '../helpers/processes.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const sumSends = async (reader: ReputationReader, stream: string) =>
  (await reader.read(stream, Date.now(), { days: false })).hours.reduce((n, h) => n + Object.entries(h.hash).filter(([f]) => f.startsWith('s|')).reduce((m, [, v]) => m + Number(v), 0), 0);

describe('drill: the reputation guard and a Redis outage', () => {
  it('keeps counts made while Redis is away and writes them once it is back', { timeout: 60_000 }, async () => {
    const server = await startRedis();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    cleanups.push(async () => redis.disconnect());
    const counters = new ReputationCounters({ redis, prefix: 'drillrep', mailFromOf: () => 'news@news.example', logger: createLogger('silent'), flushAfterMs: 50 });
    const reader = new ReputationReader({ redis, prefix: 'drillrep' });
    const event = { kind: 'send' as const, stream: 'marketing', from: undefined, to: 'ann@gmail.com', template: 'newsletter', subscriptionType: 'newsletter' };
    for (let i = 0; i < 10; i++) counters.count(event);
    await counters.flush();
    expect(await sumSends(reader, 'marketing')).toBe(10);

    await server.stop('SIGKILL');
    for (let i = 0; i < 5; i++) counters.count(event);
    await counters.flush(); // fails: kept for the next one
    const again = await startRedis(server.port);
    cleanups.unshift(() => again.stop());
    // The restarted Redis is empty (no append-only file); the 5 kept counts arrive by themselves.
    await eventually(async () => (await sumSends(reader, 'marketing')) === 5, 20_000, 100);
    await counters.close();
  });

  it('a pause outlives a Redis that restarts empty: marketing stays held, transactional goes', { timeout: 120_000 }, async () => {
    const server = await startRedis();
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const app: App = await createApp(testConfig('drillreppause', { REDIS_URL: server.url, SMTP_URL: sink.url }), { api: true, worker: true });
    await app.start();
    let redisUp: { stop(): Promise<void> } = server;
    cleanups.push(async () => {
      await dropTestDatabase(app.ctx.db);
      await app.close();
      await redisUp.stop();
    });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${app.url}${path}`, { method, headers: { ...authHeaders, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await api('POST', '/v1/streams/marketing/pause', { explanation: 'Drill' })).status).toBe(200);

    await server.stop('SIGKILL');
    redisUp = await startRedis(server.port); // empty: no append-only file
    await eventually(async () => (await fetch(`${app.url}/healthz`)).status === 200, 30_000);
    expect(((await api('GET', '/v1/streams')).body.streams as { name: string; paused: boolean }[]).find((s) => s.name === 'marketing')).toMatchObject({ paused: true });

    const data = (name: string) => app.templates.renderer.get(name)!.sampleData;
    const news = await api('POST', '/v1/messages', { kind: 'marketing', to: 'held@drill.example.com', template: 'newsletter', subscriptionType: 'newsletter', data: data('newsletter') });
    const welcome = await api('POST', '/v1/messages', { kind: 'transactional', to: 'goes@drill.example.com', template: 'welcome', data: data('welcome') });
    expect([news.status, welcome.status]).toEqual([202, 202]);
    await eventually(() => sink.to('goes@drill.example.com').length === 1, 30_000);
    await eventually(async () => (await app.messages.queues.get('marketing')!.getJobCounts('delayed')).delayed === 1, 30_000);
    expect(sink.to('held@drill.example.com')).toHaveLength(0);
    expect((await api('GET', `/v1/messages/${String(news.body.id)}`)).body).toMatchObject({ status: 'queued' });
  });
});
