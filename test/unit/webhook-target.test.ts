import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress, postWebhook } from '../../src/webhooks/index.ts';

describe('isPrivateAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '[::1]', 'not-an-ip'])(
    '%s is private',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));
});

describe('checkWebhookUrl', () => {
  const open = { httpsOnly: false, allowPrivate: false };
  it('accepts a public http or https URL', async () => {
    expect((await checkWebhookUrl('http://93.184.216.34/hooks', open)).toString()).toBe('http://93.184.216.34/hooks');
    expect((await checkWebhookUrl('https://8.8.8.8/x', { httpsOnly: true, allowPrivate: false })).protocol).toBe('https:');
  });
  it('refuses http in production (https only), naming the url', async () => {
    await expect(checkWebhookUrl('http://93.184.216.34/hooks', { httpsOnly: true, allowPrivate: false })).rejects.toMatchObject({ status: 422, code: 'invalid_webhook_url', message: 'url: must be an https URL' });
  });
  it('refuses private targets unless allowed', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1/x', open)).rejects.toMatchObject({ status: 422 });
    expect((await checkWebhookUrl('http://127.0.0.1/x', { httpsOnly: false, allowPrivate: true })).hostname).toBe('127.0.0.1');
  });
});

describe('postWebhook refuses private targets at connection time too', () => {
  it('by IP literal and by a name that resolves to loopback; allowed, it posts', async () => {
    const server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const options = { timeoutMs: 2000, allowPrivate: false };
      expect(await postWebhook(`http://127.0.0.1:${port}/`, {}, '{}', options)).toEqual({ error: 'private_address' });
      expect(await postWebhook(`http://localhost:${port}/`, {}, '{}', options)).toEqual({ error: 'private_address' });
      expect(await postWebhook(`http://localhost:${port}/`, {}, '{}', { ...options, allowPrivate: true })).toEqual({ status: 204 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
