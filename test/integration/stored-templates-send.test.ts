import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { api, validSource } from '../helpers/stored-templates.ts';

describe('sending with a stored template: pinned to the version current at enqueue (real worker, SMTP sink)', () => {
  let app: App & { stop(): Promise<void> };
  let sink: SmtpSink;
  const call = (method: string, path: string, body?: unknown) => api(app.url!, method, path, body);
  const enqueue = async (to: string, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', '/v1/messages', { kind: 'marketing', to, template: 'launch', subscriptionType: 'newsletter', data: { firstName: 'Bo', marker: 'data' }, ...extra });
    return res;
  };
  const delivered = (to: string) => eventually(() => sink.to(to)[0], 15_000);

  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp(testConfig('stored_send', { SMTP_URL: sink.url }));
  });
  afterAll(async () => {
    await app?.stop();
    await sink?.close();
  });

  it('refuses to enqueue a stored template with no published version (422), and stores nothing', async () => {
    await call('PUT', '/v1/templates/launch/draft', { ...validSource('one'), basedOn: null });
    const res = await enqueue('early@example.com');
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('unknown_template');
    expect(await app.ctx.db.db!.collection('messages').countDocuments({ to: 'early@example.com' })).toBe(0);
  });

  it('publishes, enqueues, and the email arrives with the footer and the one-click headers; a message enqueued before v2 renders v1, one after renders v2', async () => {
    expect((await call('POST', '/v1/templates/launch/publish', { note: 'v1' })).status).toBe(201);
    const first = await enqueue('first@example.com');
    expect(first.status).toBe(202);
    const mail = await delivered('first@example.com');
    expect(mail.parsed?.html).toContain('Hello Bo, one');
    expect(mail.parsed?.html).toContain('https://mail.example.test/preferences/');
    expect(mail.parsed?.html).toContain('https://mail.example.test/unsubscribe/');
    expect(mail.parsed?.text).toContain('Manage email preferences: https://mail.example.test/preferences/');
    expect(mail.header('list-unsubscribe')).toMatch(/^<https:\/\/mail\.example\.test\/unsubscribe\/[A-Za-z0-9_-]+>/);
    expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.parsed?.subject).toBe('Hi Bo (data)');
    expect((await call('GET', `/v1/messages/${first.body.id as string}`)).body.templateVersion).toBe(1);

    // Enqueued now, sent after v2 is out: it must still render v1.
    const before = await enqueue('before@example.com', { sendAt: new Date(Date.now() + 2500).toISOString() });
    await call('PUT', '/v1/templates/launch/draft', { ...validSource('two'), basedOn: 1 });
    expect((await call('POST', '/v1/templates/launch/publish', { note: 'v2' })).body.version).toBe(2);
    const after = await enqueue('after@example.com');

    const [beforeMail, afterMail] = await Promise.all([delivered('before@example.com'), delivered('after@example.com')]);
    expect(beforeMail.receivedAt).toBeGreaterThan(afterMail.receivedAt); // it was rendered after the publish
    expect(beforeMail.parsed?.html).toContain('Hello Bo, one');
    expect(afterMail.parsed?.html).toContain('Hello Bo, two');
    expect((await call('GET', `/v1/messages/${before.body.id as string}`)).body.templateVersion).toBe(1);
    expect((await call('GET', `/v1/messages/${after.body.id as string}`)).body.templateVersion).toBe(2);

    // Roll back: version 3 is version 1's source, and the next message renders it.
    expect((await call('POST', '/v1/templates/launch/versions/1/restore', {})).body).toMatchObject({ version: 3, restoredFrom: 1 });
    const rolled = await enqueue('rolled@example.com');
    expect((await delivered('rolled@example.com')).parsed?.html).toContain('Hello Bo, one');
    expect((await call('GET', `/v1/messages/${rolled.body.id as string}`)).body.templateVersion).toBe(3);
  });

  it('a retry after a newer publish renders the version the message was pinned to', { timeout: 30_000 }, async () => {
    let refused = false;
    sink.answerData(() => (refused ? undefined : ((refused = true), '451 4.3.0 Try again later')));
    try {
      const res = await enqueue('retry@example.com');
      expect((await call('GET', `/v1/messages/${res.body.id as string}`)).body.templateVersion).toBe(3);
      await eventually(() => refused, 15_000, 20); // the first attempt was refused: it will be retried
      await call('PUT', '/v1/templates/launch/draft', { ...validSource('four'), basedOn: 3 });
      expect((await call('POST', '/v1/templates/launch/publish', {})).body.version).toBe(4);
      const mail = await delivered('retry@example.com');
      expect(mail.parsed?.html).toContain('Hello Bo, one'); // version 3 (version 1's source), not 4
      expect((await call('GET', `/v1/messages/${res.body.id as string}`)).body).toMatchObject({ status: 'sent', templateVersion: 3, attempts: 2 });
    } finally {
      sink.answerData(undefined);
    }
  });

  it('file templates are sent as before, with no templateVersion', async () => {
    const res = await call('POST', '/v1/messages', { kind: 'transactional', to: 'file@example.com', template: 'welcome', data: app.templates.renderer.get('welcome')!.sampleData });
    expect(res.status).toBe(202);
    await delivered('file@example.com');
    expect((await call('GET', `/v1/messages/${res.body.id as string}`)).body).not.toHaveProperty('templateVersion');
  });
});
