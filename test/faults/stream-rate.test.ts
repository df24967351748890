// Drill: a stream's per-second limit holds for the whole fleet. Three send worker processes, each
// started with `--stream transactional`, share one limit of 40 messages per second; the rate is
// measured where it matters, at the relay (the 60-second figure belongs to the bench).
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { stopProcess } from '../helpers/processes.ts';
import { enqueueAll, sampleData, startSendWorker } from './drill-helpers.ts';

const LIMIT = 40;
/** 15 s in the suite; `DRILL_RATE_MEASURE_MS=60000` gives the 60-second figure. */
const MEASURE_MS = Number(process.env.DRILL_RATE_MEASURE_MS ?? 15_000);
/** Arrivals in the first two seconds are left out: the processes' first windows start together. */
const WARM_UP_MS = 2000;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const child of children) await stopProcess(child);
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: a per-second limit across processes', () => {
  it(`three worker processes send at ${LIMIT} ± 3 per second, measured at the relay`, { timeout: 180_000 + MEASURE_MS * 2 }, async () => {
    const sink = await startSmtpSink({ parse: false, keep: false });
    cleanups.push(() => sink.close());
    const env = { SMTP_URL: sink.url, STREAM_TRANSACTIONAL_RATE_PER_SECOND: String(LIMIT), WORKER_CONCURRENCY: '20' };
    const config = testConfig('drillrate', env);
    const api = await startTestApp(config, { api: true, worker: false });
    cleanups.push(() => api.stop());

    const startWorker = async () => {
      const worker = await startSendWorker(config, env, 'transactional');
      children.push(worker.child);
      return worker.log;
    };
    const logs = await Promise.all([startWorker(), startWorker(), startWorker()]);
    // `--stream transactional`: each process started the transactional stream's worker and no other.
    for (const log of logs) {
      const started = [...log().matchAll(/"stream":"([a-z_]+)"[^\n]*"event":"delivery\.worker_started"|"event":"delivery\.worker_started"[^\n]*"stream":"([a-z_]+)"/g)].map((m) => m[1] ?? m[2]);
      expect(started).toEqual(['transactional']);
    }

    const data = await sampleData(api.url!, 'welcome');
    const count = Math.ceil((LIMIT * (WARM_UP_MS + MEASURE_MS + 5000)) / 1000);
    await enqueueAll(api.url!, Array.from({ length: count }, (_, i) => ({ kind: 'transactional' as const, to: `rate-${i}@drill.example.com`, template: 'welcome', data })));

    await sink.waitFor(1, 30_000);
    const first = sink.arrivals[0]!;
    await sink.waitFor(count - LIMIT, 120_000);
    // From one arrival to the first arrival ~15 s later: the limiter lets mail through in bursts at
    // each window's start, so a span between two arrivals holds whole windows, not a cut-off one.
    const from = sink.arrivals.find((t) => t >= first + WARM_UP_MS)!;
    const to = sink.arrivals.find((t) => t >= from + MEASURE_MS)!;
    const inSpan = sink.arrivals.filter((t) => t >= from && t < to).length;
    const perSecond = inSpan / ((to - from) / 1000);
    console.log(`[drill stream-rate] ${inSpan} messages in ${((to - from) / 1000).toFixed(2)} s: ${perSecond.toFixed(1)}/s with a limit of ${LIMIT}/s across 3 processes`);
    expect(perSecond).toBeGreaterThanOrEqual(LIMIT - 3);
    expect(perSecond).toBeLessThanOrEqual(LIMIT + 3);
  });
});
