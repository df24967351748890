import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodemailerTransport } from '../../src/delivery/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { MessageTags } from '../../src/shared/message-tag.ts';
import { startTestApp } from '../helpers/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const logger = createLogger('silent');
const tags = new MessageTags(['delivery-test-secret-0123456789']);
const tagOf = (id: string) => tags.tag(id);
let sink: SmtpSink;
let dir: string;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

/** The DKIM-Signature tags, e.g. `h`, `d`, `s`. */
const dkimTags = (header: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((part) => part.replace(/\s+/g, '').split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k!, v.join('=')]),
  );

beforeAll(async () => {
  sink = await startSmtpSink();
  dir = await mkdtemp(join(tmpdir(), 'mailgate-delivery-'));
});
afterAll(async () => {
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

const mail = (id: string, to: string) => ({
  id,
  from: 'News <news@mailgate.example>',
  to,
  subject: 'Hello',
  html: '<p>Hello</p>',
  text: 'Hello',
  headers: { 'List-Unsubscribe': '<https://mail.example.test/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});

describe('DKIM', () => {
  it('signs every message through the API, and the signature covers both list headers', async () => {
    const app = await startTestApp(
      testConfig('dkim', {
        SMTP_URL: sink.url,
        DKIM_DOMAIN: 'mailgate.example',
        DKIM_SELECTOR: 'mg2026',
        DKIM_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'), // as an env file writes it
      }),
    );
    try {
      const to = `dkim-${Date.now()}@example.com`;
      const res = await fetch(`${app.url}/v1/messages`, {
        method: 'POST',
        headers: { ...authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter', data: app.templates!.renderer.get('newsletter')!.sampleData }),
      });
      const { id } = (await res.json()) as { id: string };
      const deadline = Date.now() + 10_000;
      while (sink.to(to).length === 0) {
        if (Date.now() > deadline) throw new Error('not delivered');
        await new Promise((r) => setTimeout(r, 25));
      }
      const received = sink.to(to)[0]!;
      const tags = dkimTags(received.header('dkim-signature'));
      expect(tags).toMatchObject({ d: 'mailgate.example', s: 'mg2026', a: 'rsa-sha256' });
      const signed = tags.h!.toLowerCase().split(':');
      expect(signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
      expect(received.header('message-id')).toBe(`<${id}.${app.ctx.messageTags.tag(id)}@mailgate.example>`);
    } finally {
      await app.stop();
    }
  });

  it('reads the key from a file path too', async () => {
    const keyFile = join(dir, 'dkim.pem');
    await writeFile(keyFile, privateKey);
    const transport = createNodemailerTransport(
      { env: 'test', smtpUrl: sink.url, smtpPoolSize: 1, dkim: { domain: 'file.example', selector: 'f1', privateKey: keyFile }, mailFrom: 'x@file.example', emlDir: dir },
      logger,
      tags,
    );
    try {
      const result = await transport.send(mail('65f000000000000000000001', 'file-key@example.com'));
      expect(result.messageId).toBe(`<65f000000000000000000001.${tagOf('65f000000000000000000001')}@file.example>`);
      expect(result.response).toMatch(/^250/);
      const tags = dkimTags(sink.to('file-key@example.com')[0]!.header('dkim-signature'));
      expect(tags.d).toBe('file.example');
      expect(tags.h!.toLowerCase()).toContain('list-unsubscribe-post');
    } finally {
      await transport.close();
    }
  });

  it('refuses a DKIM key that is not a PEM private key', () => {
    expect(() =>
      createNodemailerTransport(
        { env: 'test', smtpUrl: sink.url, smtpPoolSize: 1, dkim: { domain: 'x.example', selector: 's', privateKey: '-----BEGIN PUBLIC KEY-----\nabc' }, mailFrom: 'x@x.example', emlDir: dir },
        logger,
        tags,
      ),
    ).toThrow(/DKIM_PRIVATE_KEY/);
  });
});

describe('development outbox', () => {
  it('writes .eml files when no SMTP_URL is set', async () => {
    const outbox = join(dir, 'outbox');
    const transport = createNodemailerTransport({ env: 'development', smtpUrl: undefined, smtpPoolSize: 1, dkim: undefined, mailFrom: 'dev@mailgate.example', emlDir: outbox }, logger, tags);
    const result = await transport.send(mail('65f000000000000000000002', 'eml@example.com'));
    expect(result.response).toContain('65f000000000000000000002.eml');
    expect(await readdir(outbox)).toEqual(['65f000000000000000000002.eml']);
    const eml = await readFile(join(outbox, '65f000000000000000000002.eml'), 'utf8');
    expect(eml).toContain(`Message-ID: <65f000000000000000000002.${tagOf('65f000000000000000000002')}@mailgate.example>`);
    expect(eml).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    await transport.close();
  });

  it('refuses to run without SMTP_URL in production', () => {
    expect(() => createNodemailerTransport({ env: 'production', smtpUrl: undefined, smtpPoolSize: 1, dkim: undefined, mailFrom: 'x@y.example', emlDir: dir }, logger, tags)).toThrow(/SMTP_URL/);
  });
});

describe('when Redis is unreachable', () => {
  it('answers 503 and keeps no message record (never 202 for a message not safely queued)', async () => {
    const app = await startTestApp(testConfig('noredis', { REDIS_URL: 'redis://127.0.0.1:1' }), { api: true, worker: false });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${app.url}${path}`, { method: 'POST', headers: { ...authHeaders, 'content-type': 'application/json', 'idempotency-key': path === '/v1/messages' ? 'k-1' : '' }, body: JSON.stringify(body) });
      const message = { kind: 'transactional', to: 'down@example.com', template: 'welcome', data: app.templates!.renderer.get('welcome')!.sampleData };
      const single = await post('/v1/messages', message);
      expect(single.status).toBe(503);
      expect(await single.json()).toMatchObject({ error: { code: 'service_unavailable' } });
      const batch = await fetch(`${app.url}/v1/messages/batch`, {
        method: 'POST',
        headers: { ...authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [message, { ...message, to: 'down2@example.com' }] }),
      });
      expect(batch.status).toBe(503);
      expect(await app.messages!.repository.model.countDocuments()).toBe(0);
    } finally {
      await app.stop().catch(() => undefined);
    }
  });
});
