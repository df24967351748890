import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, MailgateError, type MailgateClient } from '../../src/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { TEST_API_KEY, testConfig } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let sink: SmtpSink;
let app: Awaited<ReturnType<typeof startTestApp>>;
let client: MailgateClient;

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('client', { SMTP_URL: sink.url }));
  client = createClient({ baseUrl: app.url!, apiKey: TEST_API_KEY });
});
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

const caught = async (work: Promise<unknown>): Promise<MailgateError> => {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailgateError);
  return err as MailgateError;
};

it('sends, reads the status, and sends once per idempotency key', async () => {
  const data = app.templates!.renderer.get('welcome')!.sampleData;
  const message = { kind: 'transactional' as const, to: 'Client.User@Example.com', template: 'welcome', data };
  const first = await client.send(message, { idempotencyKey: 'client-key-1' });
  const again = await client.send(message, { idempotencyKey: 'client-key-1' });
  expect(again.id).toBe(first.id);
  await sink.waitFor(1);
  let view = await client.getMessage(first.id);
  for (let i = 0; view.status === 'queued' && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    view = await client.getMessage(first.id);
  }
  expect(view).toMatchObject({ id: first.id, to: 'client.user@example.com', status: 'sent' });
  expect(sink.to('client.user@example.com')).toHaveLength(1);
});

it('answers a batch per item', async () => {
  const data = app.templates!.renderer.get('welcome')!.sampleData;
  const { results } = await client.sendBatch([
    { kind: 'transactional', to: 'batch-a@example.com', template: 'welcome', data },
    { kind: 'transactional', to: 'nope', template: 'welcome', data },
  ]);
  expect(results[0]).toMatchObject({ status: 'queued' });
  expect(results[1]).toMatchObject({ error: { code: 'invalid_address' } });
});

it('rejects bad messages locally with the server codes, and maps server errors', async () => {
  const local = await caught(client.send({ kind: 'marketing', to: 'a@example.com', template: 'newsletter' }));
  expect(local).toMatchObject({ code: 'subscription_type_required', status: 422 });
  const injected = await caught(client.send({ kind: 'transactional', to: 'a@example.com\r\nBcc: b@example.com', template: 'welcome' }));
  expect(injected.code).toBe('invalid_address');

  const server = await caught(client.send({ kind: 'transactional', to: 'a@example.com', template: 'no-such-template' }));
  expect(server).toMatchObject({ code: 'unknown_template', status: 422, retryable: false });
  const unfilled = await caught(client.send({ kind: 'transactional', to: 'a@example.com', template: 'password-reset', data: { resetUrl: 'https://example.com/r' } }));
  expect(unfilled).toMatchObject({ code: 'template_data_invalid', status: 422, retryable: false, details: { missing: ['expiresInMinutes'] } });
  const missing = await caught(client.getMessage('0123456789abcdef01234567'));
  expect(missing).toMatchObject({ code: 'message_not_found', status: 404 });
  const unauthorized = await caught(createClient({ baseUrl: app.url!, apiKey: 'wrong-key-0123456789' }).getMessage('x'));
  expect(unauthorized).toMatchObject({ code: 'unauthorized', status: 401 });
  const down = await caught(createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: TEST_API_KEY }).getMessage('x'));
  expect(down).toMatchObject({ code: 'network_error', status: 0, retryable: true });
});

it('maps an answer that is not mailgate’s error body (a proxy in between) to its status', async () => {
  const proxy = createServer((_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = proxy.address() as AddressInfo;
    const err = await caught(createClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: TEST_API_KEY }).getMessage('x'));
    expect(err).toMatchObject({ code: 'http_502', status: 502, retryable: true });
  } finally {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
});
