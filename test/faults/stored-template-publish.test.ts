// Drill: a publish is seen by every process at once, without a restart (docs/rules.md §14). Two send
// worker processes and a second API instance are running when version 2 is published through the
// first API; each sees version 2 within 2 s (pub/sub on <QUEUE_PREFIX>:templates:published), the
// second API pins what it enqueues to it, and both workers render it.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually, stopProcess } from '../helpers/processes.ts';
import { api, validSource } from '../helpers/stored-templates.ts';
import { enqueueAll, startSendWorker } from './drill-helpers.ts';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const child of children) await stopProcess(child);
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The time (ms since the epoch) of a process's first log line saying it sees `version` of `template` as the newest. */
const seenAt = (log: string, event: string, template: string, version: number): number | undefined => {
  for (const line of log.split('\n')) {
    if (!line.includes(`"event":"${event}"`)) continue;
    const entry = JSON.parse(line) as { template?: string; version?: number; time?: number };
    if (entry.template === template && entry.version === version) return entry.time;
  }
  return undefined;
};

describe('drill: publishing a stored template reaches every process without a restart', () => {
  it('two worker processes both see and render version 2 within 2 s of the publish', { timeout: 120_000 }, async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const env = { SMTP_URL: sink.url, WORKER_CONCURRENCY: '2' };
    const config = testConfig('drillpublish', env);
    const publisher = await startTestApp(config, { api: true, worker: false });
    cleanups.push(() => publisher.stop());
    const other = await startTestApp(config, { api: true, worker: false }); // same database and prefix: another API process's view
    cleanups.push(() => other.close());
    const workers = await Promise.all([startSendWorker(config, env, 'marketing'), startSendWorker(config, env, 'marketing')]);
    children.push(...workers.map((w) => w.child));

    const call = (base: string, method: string, path: string, body?: unknown) => api(base, method, path, body);
    const items = (marker: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ kind: 'marketing' as const, to: `${marker}-${i}@drill.example.com`, template: 'promo', subscriptionType: 'newsletter', data: { firstName: 'Cy', marker } }));

    await call(publisher.url!, 'PUT', '/v1/templates/promo/draft', { ...validSource('one'), basedOn: null });
    expect((await call(publisher.url!, 'POST', '/v1/templates/promo/publish', {})).status).toBe(201);
    await eventually(() => other.templates.renderer.get('promo')?.version === 1, 10_000, 20);
    await enqueueAll(other.url!, items('v1', 6));
    await sink.waitFor(6, 20_000);
    expect(sink.messages.every((m) => String(m.parsed?.html).includes('Hello Cy, one'))).toBe(true);

    await call(publisher.url!, 'PUT', '/v1/templates/promo/draft', { ...validSource('two'), basedOn: 1 });
    const publishedAt = Date.now();
    expect((await call(publisher.url!, 'POST', '/v1/templates/promo/publish', {})).body.version).toBe(2);

    // The other API process: its next enqueue is pinned to version 2, within 2 s, with no restart.
    await eventually(() => other.templates.renderer.get('promo')?.version === 2, 2000, 10);
    expect(Date.now() - publishedAt).toBeLessThan(2000);
    // Each worker process logs when it sees a new newest version: both within 2 s of the publish.
    const seen = await eventually(() => {
      const times = workers.map((w) => seenAt(w.log(), 'templates.version_seen', 'promo', 2));
      return times.every((t) => t !== undefined) ? (times as number[]) : undefined;
    }, 2000, 20);
    for (const t of seen) expect(t - publishedAt).toBeLessThan(2000);

    // And both render it: the messages spread over the two workers, each compiles version 2 once.
    await enqueueAll(other.url!, items('v2', 20));
    const all = await sink.waitFor(26, 20_000);
    const second = all.filter((m) => m.to[0]!.startsWith('v2-'));
    expect(second).toHaveLength(20);
    expect(second.every((m) => String(m.parsed?.html).includes('Hello Cy, two'))).toBe(true);
    const compiled = workers.map((w) => seenAt(w.log(), 'templates.version_compiled', 'promo', 2));
    console.log(`[drill publish] workers saw v2 after ${seen.map((t) => t - publishedAt).join(' ms, ')} ms; compiled v2: ${compiled.map((t) => (t === undefined ? 'no' : 'yes')).join(', ')}`);
    expect(compiled.every((t) => t !== undefined)).toBe(true);
  });
});
