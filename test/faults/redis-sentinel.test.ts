// Drill (docs/rules.md §15, the first step of #25): Redis behind Sentinel. A primary, one replica and
// three sentinels, real redis-server processes on loopback. The app names only the sentinels
// (REDIS_SENTINELS, REDIS_SENTINEL_NAME). Mail is sent; the primary is SIGKILLed; the sentinels
// promote the replica; the API answers 503 while Redis is away and recovers by itself, and what is
// enqueued after the failover is sent exactly once, through the new primary. (What an asynchronous
// replica may lose in the kill, and the reconciler re-driving it, is the rest of #25.)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { eventually, freePort, startRedis, stopProcess, waitForOutput } from '../helpers/processes.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { duplicatesOf, enqueueAll, receivedIds, sampleData } from './drill-helpers.ts';

const MASTER = 'mailgate-drill';
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const child of children) await stopProcess(child, 'SIGKILL');
});

async function startReplica(primaryPort: number): Promise<number> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-replica-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--replicaof', '127.0.0.1', String(primaryPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await waitForOutput(child, /MASTER <-> REPLICA sync: Finished with success/, 15_000);
  return port;
}

async function startSentinel(primaryPort: number): Promise<number> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${MASTER} 127.0.0.1 ${primaryPort} 2`, `sentinel down-after-milliseconds ${MASTER} 1000`, `sentinel failover-timeout ${MASTER} 5000`, `sentinel parallel-syncs ${MASTER} 1`, ''].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await waitForOutput(child, /\+monitor master/, 10_000);
  return port;
}

/** POSTs the batch until the API takes it (202): 503 while Redis is away is the expected answer, nothing else. */
async function enqueueWhenReady(url: string, items: Parameters<typeof enqueueAll>[1], answers: number[]): Promise<string[]> {
  return eventually(async () => {
    const res = await fetch(`${url}/v1/messages/batch`, { method: 'POST', headers: { ...authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ messages: items }) });
    answers.push(res.status);
    if (res.status !== 202) return undefined;
    const { results } = (await res.json()) as { results: { id?: string }[] };
    return results.map((r) => r.id!);
  }, 60_000, 250);
}

describe('drill: Redis behind Sentinel', () => {
  it('sends through the primary the sentinels name, answers 503 while it fails over, and sends through the new one after', { timeout: 180_000 }, async () => {
    const primary = await startRedis();
    cleanups.push(() => primary.stop('SIGKILL'));
    const replicaPort = await startReplica(primary.port);
    const sentinelPorts = [await startSentinel(primary.port), await startSentinel(primary.port), await startSentinel(primary.port)];
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig('drillsentinel', { SMTP_URL: sink.url, REDIS_SENTINELS: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','), REDIS_SENTINEL_NAME: MASTER });
    const app = await startTestApp(config);
    cleanups.push(() => app.stop());

    const data = await sampleData(app.url!, 'password-reset');
    const batch = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ kind: 'transactional' as const, to: `drill-${tag}-${i}@example.com`, template: 'password-reset', data }));
    const before = await enqueueAll(app.url!, batch(100, 'before'));
    await eventually(() => before.every((id) => receivedIds(sink).includes(id)) || undefined, 60_000);
    // the queue's keys are on the primary, and the replica has them: Sentinel's primary is the one used
    const onPrimary = new Redis(primary.url);
    expect((await onPrimary.keys(`${config.queuePrefix}:*`)).length).toBeGreaterThan(0);
    onPrimary.disconnect();

    await primary.stop('SIGKILL');
    const answers: number[] = [];
    const after = await enqueueWhenReady(app.url!, batch(100, 'after'), answers);
    // while the sentinels fail over, the API says so; then it takes mail again without a restart
    expect(answers[0]).toBe(503);
    expect(answers.at(-1)).toBe(202);
    expect(answers.every((s) => s === 503 || s === 202)).toBe(true);
    const sentinel = new Redis({ port: sentinelPorts[0]!, host: '127.0.0.1' });
    const [, newPort] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', MASTER)) as [string, string];
    sentinel.disconnect();
    expect(Number(newPort)).toBe(replicaPort);

    await eventually(() => after.every((id) => receivedIds(sink).includes(id)) || undefined, 60_000);
    const ids = receivedIds(sink);
    expect(duplicatesOf(ids)).toBe(0);
    expect(ids.filter((id) => before.includes(id) || after.includes(id))).toHaveLength(200);
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
