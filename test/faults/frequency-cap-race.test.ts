// Drill: a frequency cap holds across processes (docs/rules.md §13). Three send worker processes,
// each serving the marketing stream with 20 jobs at once, race 50 marketing messages to one mailbox
// (spelt with different +tags) under a cap of 3: the atomic script lets exactly 3 take a slot.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually, stopProcess } from '../helpers/processes.ts';
import { duplicatesOf, enqueueAll, receivedIds, sampleData, statusCounts, startSendWorker } from './drill-helpers.ts';

const MESSAGES = 50;
const CAP = 3;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const child of children) await stopProcess(child);
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: a frequency cap across processes', () => {
  it(`three worker processes racing ${MESSAGES} messages to one mailbox with a cap of ${CAP}: exactly ${CAP} sent`, { timeout: 120_000 }, async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const env = { SMTP_URL: sink.url, FREQUENCY_CAP: `${CAP}/7d`, WORKER_CONCURRENCY: '20' };
    const config = testConfig('drillfcap', env);
    const api = await startTestApp(config, { api: true, worker: false });
    cleanups.push(() => api.stop());

    const startWorker = async () => {
      const worker = await startSendWorker(config, env, 'marketing');
      children.push(worker.child);
      return worker.log;
    };
    const logs = await Promise.all([startWorker(), startWorker(), startWorker()]);

    const data = await sampleData(api.url!, 'newsletter');
    // One mailbox, many spellings: the cap counts `mailboxKey`, so `+tags` share it.
    const items = Array.from({ length: MESSAGES }, (_, i) => ({ kind: 'marketing' as const, to: `racer+${i}@drill.example.com`, template: 'newsletter', subscriptionType: 'newsletter', data }));
    await enqueueAll(api.url!, items);

    const counts = await eventually(async () => {
      const c = await statusCounts(api);
      return (c.sent ?? 0) + (c.suppressed ?? 0) + (c.failed ?? 0) === MESSAGES ? c : undefined;
    }, 60_000, 100);
    expect(counts).toMatchObject({ sent: CAP, suppressed: MESSAGES - CAP });
    expect(counts.failed ?? 0).toBe(0);
    expect(sink.count).toBe(CAP);
    expect(duplicatesOf(receivedIds(sink))).toBe(0);

    const capped = logs.map((log) => [...log().matchAll(/"event":"delivery\.frequency_capped"/g)].length);
    console.log(`[drill frequency-cap] ${sink.count} sent, ${MESSAGES - CAP} capped; capped per process: ${capped.join(', ')}`);
    expect(capped.reduce((a, b) => a + b, 0)).toBe(MESSAGES - CAP);
    // A race needs racers: more than one process decided.
    expect(capped.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    // The log names messages, never the address (docs/rules.md §11).
    for (const log of logs) expect(log()).not.toContain('drill.example.com');
  });
});
