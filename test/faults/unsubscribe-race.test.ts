// Drill 4: half the recipients opt out just before their scheduled marketing message is due.
import { afterAll, describe, expect, it } from 'vitest';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startTestApp } from '../helpers/app.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { eventually } from '../helpers/processes.ts';
import { enqueueAll, sampleData, statusCounts } from './drill-helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('drill: unsubscribes racing sends', () => {
  it('sends none to the addresses that opted out before sendAt, and all to the others', { timeout: 120_000 }, async () => {
    const sink = await startSmtpSink({ parse: false });
    cleanups.push(() => sink.close());
    const app = await startTestApp(testConfig('drillrace', { SMTP_URL: sink.url }));
    cleanups.push(() => app.stop());

    const addresses = Array.from({ length: 400 }, (_, i) => `race-${i}@drill.example.com`);
    const leaving = new Set(addresses.filter((_, i) => i % 2 === 0));
    const data = await sampleData(app.url!, 'newsletter');
    const sendAt = Date.now() + 30_000;
    await enqueueAll(
      app.url!,
      addresses.map((to) => ({ kind: 'marketing' as const, to, template: 'newsletter', subscriptionType: 'newsletter', data, sendAt: new Date(sendAt).toISOString() })),
    );

    // Half of them unsubscribe (half from the type, half from everything), 20 requests at a time.
    const queue = [...leaving];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let address = queue.shift(); address; address = queue.shift()) {
          const body = address.endsWith('0@drill.example.com') ? { optedOutOfAll: true } : { subscriptions: { newsletter: 'unsubscribed' } };
          const res = await fetch(`${app.url}/v1/addresses/${address}`, {
            method: 'PATCH',
            headers: { ...authHeaders, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          expect(res.status).toBe(200);
        }
      }),
    );
    // The race only means something if every opt-out landed before the messages came due.
    expect(Date.now()).toBeLessThan(sendAt);
    expect(sink.count).toBe(0);

    await eventually(async () => {
      const c = await statusCounts(app);
      return (c.sent ?? 0) + (c.suppressed ?? 0) === 400;
    }, 90_000, 500);
    expect(await statusCounts(app)).toEqual({ sent: 200, suppressed: 200 });
    const received = sink.messages.flatMap((m) => m.to);
    expect(received.filter((to) => leaving.has(to))).toEqual([]);
    expect(new Set(received)).toEqual(new Set(addresses.filter((a) => !leaving.has(a))));
  });
});
