import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { FIXTURE_ID, deliverReport, reportFixture } from '../helpers/feedback-mail.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// End to end, as an operator's Postfix would see it: mailgate sends with a VERP envelope sender,
// the receiving MTA answers with an RFC 3464 bounce to that address, and the bounce is delivered
// to mailgate's own inbound SMTP listener.
const BOUNCE_DOMAIN = 'bounces.mailgate.test';
const UPDATES_BOUNCE_DOMAIN = 'bounces.updates.test';
const COMPLAINTS = 'fbl@bounces.mailgate.test';

let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.org`;

const { api, status, settled, send } = apiClient(() => app);



const deliver = (rcpt: string, raw: string) => deliverReport(app.feedbackSmtpPort!, rcpt, raw);

/** Our message's reference as sent: `<id>.<tag>`, the local part of its Message-ID and (after `bounces+`) of its VERP address. */
const tagged = (id: string) => `${id}.${app.ctx.messageTags.tag(id)}`;
/** The VERP address a bounce of this message is sent to. */
const verp = (id: string) => `bounces+${tagged(id)}@${BOUNCE_DOMAIN}`;

/** A fixture DSN rewritten to name this test's message (tagged, as mailgate sent it) and recipient. */
async function bounceFor(file: string, messageId: string, recipient: string): Promise<string> {
  return reportFixture(file, tagged(messageId), [['nobody@example.org', recipient], ['bounce.example.com', BOUNCE_DOMAIN]]);
}

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(
    testConfig('feedbacksmtp', {
      SMTP_URL: sink.url,
      MAIL_FROM: 'News <news@mail.example.com>',
      BOUNCE_DOMAIN,
      // A third stream with a VERP domain of its own: the listener takes its bounces too.
      STREAMS: 'transactional,marketing,updates',
      STREAM_UPDATES_TYPES: 'product-updates',
      STREAM_UPDATES_BOUNCE_DOMAIN: UPDATES_BOUNCE_DOMAIN,
      FEEDBACK_SMTP_PORT: '0',
      FEEDBACK_SMTP_HOST: '127.0.0.1',
      FEEDBACK_COMPLAINT_ADDRESS: COMPLAINTS,
    }),
    { api: true, worker: true, feedbackSmtp: true },
  );
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('bounce mail to the VERP address', () => {
  it('bounces the message, hard-bounces the address, and suppresses the next marketing and transactional mail', async () => {
    const to = fresh('gone');
    const id = await send('marketing', to);
    expect(await settled(id)).toMatchObject({ status: 'sent' });
    const [mail] = sink.to(to);
    expect(mail!.from).toBe(verp(id));

    const reply = await deliver(verp(id), await bounceFor('postfix-dsn-user-unknown.eml', id, to));
    expect(reply).toMatch(/^250/);

    const bounced = await eventually(async () => {
      const view = await status(id);
      return view.status === 'bounced' ? view : undefined;
    });
    expect(bounced.feedback).toMatchObject({ type: 'hard_bounce', provider: 'dsn', statusCode: '5.1.1' });
    const address = (await api('GET', `/v1/addresses/${encodeURIComponent(to)}`)).body;
    expect(address.suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
    const history = (await api('GET', `/v1/addresses/${encodeURIComponent(to)}/history`)).body as unknown as { source: string; messageId?: string; feedback?: { provider: string } }[];
    expect(history.at(-1)).toMatchObject({ source: 'bounce', messageId: id, feedback: { provider: 'dsn' } });

    const next = await send('marketing', to);
    const receipt = await send('transactional', to);
    expect(await settled(next)).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(await settled(receipt)).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(sink.to(to)).toHaveLength(1);
  });

  it('takes bounce mail to the VERP domain of every stream', async () => {
    const to = fresh('updates');
    const data = app.templates.renderer.get('product-update')!.sampleData;
    const res = await api('POST', '/v1/messages', { kind: 'marketing', to, template: 'product-update', subscriptionType: 'product-updates', data });
    const id = String(res.body.id);
    expect(await settled(id)).toMatchObject({ status: 'sent', stream: 'updates' });
    const address = `bounces+${tagged(id)}@${UPDATES_BOUNCE_DOMAIN}`;
    expect(sink.to(to)[0]!.from).toBe(address);
    const dsn = (await bounceFor('postfix-dsn-user-unknown.eml', id, to)).replaceAll(BOUNCE_DOMAIN, UPDATES_BOUNCE_DOMAIN);
    expect(await deliver(address, dsn)).toMatch(/^250/);
    await eventually(async () => ((await status(id)).status === 'bounced' ? true : undefined));
  });

  it('takes a delayed DSN for a warning on the message, never a bounce or a soft bounce', async () => {
    const to = fresh('later');
    const id = await send('marketing', to);
    await settled(id);
    const dsn = (await bounceFor('postfix-dsn-delayed.eml', id, to)).replaceAll('slow@example.net', to);
    expect(await deliver(verp(id), dsn)).toMatch(/^250/);
    // Stored as `delayed` and applied: the message shows the warning, keeps its status, and nothing is suppressed.
    const view = await eventually(async () => {
      const v = await status(id);
      return v.delayed ? v : undefined;
    });
    expect(view).toMatchObject({ status: 'sent', delayed: { provider: 'dsn', statusCode: '4.4.1' } });
    expect(await app.ctx.db.collection('feedback_events').findOne({ address: to })).toMatchObject({ type: 'delayed' });
    expect((await api('GET', `/v1/addresses/${encodeURIComponent(to)}`)).body.suppression).toBeUndefined();
  });

  it('delay warnings never add up to a soft-bounce suppression (one per message, SOFT_BOUNCE_LIMIT messages)', async () => {
    const to = fresh('stuck');
    for (let i = 0; i < 5; i++) {
      const id = await send('marketing', to);
      await settled(id);
      // Postfix warns once per stuck message; Exim repeats it daily: both are warnings, not failures.
      const dsn = (await bounceFor('postfix-dsn-delayed.eml', id, to)).replaceAll('slow@example.net', to).replace('20240115140005.8C2D1E0F99@', `${id}.warning@`);
      expect(await deliver(verp(id), dsn)).toMatch(/^250/);
    }
    await eventually(async () => (await app.ctx.db.collection('feedback_events').countDocuments({ address: to, type: 'delayed', appliedAt: { $exists: true } })) === 5 || undefined);
    expect((await api('GET', `/v1/addresses/${encodeURIComponent(to)}`)).body.suppression).toBeUndefined();
    expect(await settled(await send('marketing', to))).toMatchObject({ status: 'sent' });
  });

  it('refuses every recipient but the tagged VERP addresses and the complaint address (never a relay)', async () => {
    expect(await deliver('someone@example.org', 'Subject: relay me\r\n\r\nhello\r\n')).toBe('550');
    expect(await deliver(`bounces+${FIXTURE_ID}.0123456789abcdef@${BOUNCE_DOMAIN}`, 'Subject: x\r\n\r\nx\r\n')).toBe('550');
    expect(await deliver(`bounces+nothex@${BOUNCE_DOMAIN}`, 'Subject: x\r\n\r\nx\r\n')).toBe('550');
    expect(await deliver(`bounces+${FIXTURE_ID}@other.example`, 'Subject: x\r\n\r\nx\r\n')).toBe('550');
  });

  it('accepts and drops an out-of-office reply, changing nothing', async () => {
    const to = fresh('away');
    const id = await send('marketing', to);
    await settled(id);
    const before = await app.ctx.db.collection('feedback_events').countDocuments();
    const reply = await bounceFor('out-of-office.eml', id, to);
    expect(await deliver(verp(id), reply)).toMatch(/^250/);
    const metrics = await app.ctx.metrics.getSingleMetricAsString('mailgate_feedback_dropped_total');
    expect(metrics).toMatch(/reason="autoreply"\} [1-9]/);
    expect(await app.ctx.db.collection('feedback_events').countDocuments()).toBe(before);
    expect((await status(id)).status).toBe('sent');
  });

  it('reads a feedback-loop (ARF) report with a redacted recipient through our Message-ID', async () => {
    const to = fresh('spam');
    const id = await send('marketing', to);
    await settled(id);
    const raw = await reportFixture('yahoo-arf-abuse.eml', tagged(id));
    expect(await deliver(COMPLAINTS, raw)).toMatch(/^250/);
    const complained = await eventually(async () => {
      const view = await status(id);
      return view.status === 'complained' ? view : undefined;
    });
    expect(complained.feedback).toMatchObject({ type: 'complaint', provider: 'arf' });
    const address = (await api('GET', `/v1/addresses/${encodeURIComponent(to)}`)).body;
    expect(address.suppression).toMatchObject({ kind: 'complaint', source: 'complaint' });
    // A complaint blocks marketing only.
    expect(await settled(await send('transactional', to))).toMatchObject({ status: 'sent' });
    expect(await settled(await send('marketing', to))).toMatchObject({ status: 'suppressed', reason: 'complaint' });
  });

  it('replaying the same bounce mail changes nothing', async () => {
    const to = fresh('twice');
    const id = await send('marketing', to);
    await settled(id);
    const dsn = await bounceFor('postfix-dsn-user-unknown.eml', id, to);
    await deliver(verp(id), dsn);
    await eventually(async () => ((await status(id)).status === 'bounced' ? true : undefined));
    const history = async () => ((await api('GET', `/v1/addresses/${encodeURIComponent(to)}/history`)).body as unknown as unknown[]).length;
    const events = await history();
    await deliver(verp(id), dsn);
    expect(await app.ctx.db.collection('feedback_events').countDocuments({ address: to })).toBe(1);
    expect(await history()).toBe(events);
  });
});

describe("the worker's own SMTP refusals, read by the same classification", () => {
  it('a 5.1.8 bad-sender reply fails the message but does not suppress the recipient', async () => {
    const to = fresh('badsender');
    sink.rejectRecipient(to, '550 5.1.8 <news@mail.example.com>: Sender address rejected: Domain not found');
    const id = await send('transactional', to);
    expect(await settled(id)).toMatchObject({ status: 'failed', reason: 'smtp_rejected' });
    expect((await api('GET', `/v1/addresses/${encodeURIComponent(to)}`)).body.suppression).toBeUndefined();
    sink.acceptRecipient(to);
    expect(await settled(await send('marketing', to))).toMatchObject({ status: 'sent' });
  });

  it('a 5.1.1 reply hard-bounces the recipient, recorded as SMTP feedback', async () => {
    const to = fresh('nouser');
    sink.rejectRecipient(to, '550 5.1.1 <nouser@example.org>: Recipient address rejected: User unknown');
    const id = await send('transactional', to);
    expect(await settled(id)).toMatchObject({ status: 'failed', reason: 'hard_bounce' });
    const history = (await api('GET', `/v1/addresses/${encodeURIComponent(to)}/history`)).body as unknown as { source: string; feedback?: { provider: string; statusCode?: string } }[];
    expect(history.at(-1)).toMatchObject({ source: 'bounce', feedback: { provider: 'smtp', statusCode: '5.1.1' } });
  });
});

