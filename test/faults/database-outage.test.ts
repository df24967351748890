// Drill 2: the database goes away for 15 s while scheduled marketing messages come due.
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startOwnDatabase } from '../helpers/ferretdb.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually } from '../helpers/processes.ts';
import { enqueueAll, sampleData, statusCounts } from './drill-helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: database outage', () => {
  it('sends nothing while the database is down, then everything per state, none failed', { timeout: 180_000 }, async () => {
    const db = await startOwnDatabase();
    cleanups.push(() => db.destroy());
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig('drilldb', { MONGO_URL: db.url, SMTP_URL: sink.url });
    const app: App = await createApp(config, { api: true, worker: true });
    await app.start();
    cleanups.push(() => app.close());
    const health = async () => (await fetch(`${app.url}/healthz`)).status;

    const optedOut = Array.from({ length: 5 }, (_, i) => `out-${i}@drill.example.com`);
    for (const address of optedOut) {
      const res = await fetch(`${app.url}/v1/addresses/${address}`, {
        method: 'PATCH',
        headers: { ...authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ optedOutOfAll: true }),
      });
      expect(res.status).toBe(200);
    }
    const fresh = Array.from({ length: 45 }, (_, i) => `in-${i}@drill.example.com`);
    const data = await sampleData(app.url!, 'newsletter');
    const sendAt = new Date(Date.now() + 2000).toISOString();
    await enqueueAll(
      app.url!,
      [...fresh, ...optedOut].map((to) => ({ kind: 'marketing' as const, to, template: 'newsletter', subscriptionType: 'newsletter', data, sendAt })),
    );

    await db.stop();
    const downAt = Date.now();
    await eventually(async () => (await health()) === 503, 15_000);
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ mongo: 'down', redis: 'up' });
    // The messages come due during the outage; not one may leave while the state cannot be read.
    await new Promise((r) => setTimeout(r, Math.max(0, 15_000 - (Date.now() - downAt))));
    expect(sink.count).toBe(0);

    await db.start();
    await eventually(async () => (await health()) === 200, 30_000);
    await eventually(async () => {
      const counts = await statusCounts(app);
      return (counts.sent ?? 0) + (counts.suppressed ?? 0) === 50;
    }, 120_000, 500);

    expect(await statusCounts(app)).toEqual({ sent: 45, suppressed: 5 });
    const recipients = sink.messages.flatMap((m) => m.to).sort();
    expect(recipients).toEqual([...fresh].sort());
  });
});
