import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// GET /v1/addresses/:address/export (docs/rules.md §10): one JSON document with everything mailgate
// holds about the address — state, consent history, messages with their outcomes, feedback.
let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
const { api, settled, send } = apiClient(() => app);

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('export', { SMTP_URL: sink.url, WEBHOOK_ALLOW_PRIVATE: 'true' }));
});
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('the access export of one address', () => {
  it('holds its state, consent history, messages with outcomes and feedback — and nothing of other addresses', async () => {
    // An endpoint nobody listens on: its deliveries are recorded (and retried), and they name the address.
    const hook = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['subscription.changed'] });
    expect(hook.status).toBe(201);
    const address = `export-${Date.now().toString(36)}@example.org`;
    const other = `other-${Date.now().toString(36)}@example.org`;
    const sent = await send('transactional', address);
    await send('transactional', other);
    expect(await settled(sent)).toMatchObject({ status: 'sent' });
    expect((await api('PATCH', `/v1/addresses/${address}`, { subscriptions: { newsletter: 'unsubscribed' } })).status).toBe(200);
    expect((await api('POST', '/v1/feedback', { address, type: 'soft_bounce', messageId: sent, detail: '452 4.2.2 mailbox full', eventId: 'exp-1' })).status).toBe(202);
    await eventually(async () => (await app.ctx.db.collection('feedback_events').findOne({ address, appliedAt: { $exists: true } })) ?? undefined);
    const marketing = await send('marketing', address);
    expect(await settled(marketing)).toMatchObject({ status: 'suppressed', reason: 'unsubscribed_from_type' });

    const res = await fetch(`${app.url}/v1/addresses/${encodeURIComponent(address)}/export`, { headers: { authorization: `Bearer ${app.ctx.config.apiKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const doc = (await res.json()) as {
      address: string;
      state: { subscriptions: Record<string, string> };
      consentHistory: { id: string; source: string; after: unknown }[];
      messages: { id: string; status: string; to: string; decision?: unknown }[];
      feedback: { type: string; provider: string; eventId: string; messageId?: string }[];
      webhookDeliveries: { endpointId: string; type: string; status: string }[];
    };
    expect(doc.address).toBe(address);
    expect(doc.state.subscriptions.newsletter).toBe('unsubscribed');
    expect(doc.consentHistory.map((e) => e.source)).toEqual(['operator']);
    expect(doc.messages.map((m) => [m.id, m.status]).sort()).toEqual([[marketing, 'suppressed'], [sent, 'sent']].sort());
    expect(doc.messages.every((m) => m.to === address)).toBe(true);
    // each message with the decision that let it go or stopped it, naming the consent event the history lists
    const decisions = Object.fromEntries(doc.messages.map((m) => [m.id, m.decision]));
    expect(decisions).toEqual({
      [sent]: { rule: 'transactional', consentEvent: null, consentMode: 'opt-out' },
      [marketing]: { rule: 'unsubscribed_from_type', consentEvent: doc.consentHistory[0]!.id, consentMode: 'opt-out' },
    });
    expect(doc.feedback).toEqual([expect.objectContaining({ type: 'soft_bounce', provider: 'api', eventId: 'exp-1', messageId: sent })]);
    // the operator's change was told to the endpoint: one delivery about this address (none of the other's)
    expect(doc.webhookDeliveries).toEqual([expect.objectContaining({ endpointId: (hook.body as { id: string }).id, type: 'subscription.changed' })]);
  });

  it('answers a never-seen address with an empty export, and refuses a malformed one', async () => {
    const empty = await api('GET', '/v1/addresses/never-seen@example.org/export');
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ address: 'never-seen@example.org', consentHistory: [], messages: [], feedback: [], webhookDeliveries: [] });
    expect((await api('GET', '/v1/addresses/not-an-address/export')).status).toBe(400);
  });
});
