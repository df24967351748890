import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { deleteQueueKeys, dropTestDatabase } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';

/** Tokens are never logged: not on success, not on refusal, whatever the log level. */
const lines: string[] = [];
const config = testConfig('preflogs');
let app: App;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  app = await createApp(config, { api: true, worker: false }, pino({ level: 'trace' }, sink));
  await app.start();
});

afterAll(async () => {
  await dropTestDatabase(app.ctx.db);
  await app.close();
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);
});

describe('recipient page logs', () => {
  it('contain event names and route patterns, never a token', async () => {
    const address = 'logs@example.com';
    const tokens = [
      app.ctx.tokens.sign({ k: 'p', a: address, m: 'msg_log', l: 'en' }),
      app.ctx.tokens.sign({ k: 'u', a: address, m: 'msg_log', t: 'newsletter' }),
      app.ctx.tokens.sign({ k: 'c', a: address, ts: ['events'], n: 'log-nonce' }),
    ];
    const [p, u, c] = tokens as [string, string, string];
    const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };
    const go = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, init).then((r) => r.status);

    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${app.url}/preferences/${p}`)).text())?.[1] ?? '';
    expect(await go(`/preferences/${p}`, { method: 'POST', headers: urlencoded, body: `csrf=${csrf}&action=unsubscribe&type=events` })).toBe(200);
    expect(await go(`/preferences/${p}`, { method: 'POST', headers: urlencoded, body: 'action=unsubscribe_all' })).toBe(403);
    expect(await go(`/preferences/${p}x`)).toBe(400);
    expect(await go(`/unsubscribe/${u}`)).toBe(200);
    expect(await go(`/unsubscribe/${u}`, { method: 'POST', headers: urlencoded, body: 'List-Unsubscribe=One-Click' })).toBe(200);
    expect(await go(`/unsubscribe/${u}`, { method: 'POST', headers: urlencoded, body: 'nope=1' })).toBe(400);
    const confirmPage = await (await fetch(`${app.url}/subscribe/confirm/${c}`)).text();
    const confirmCsrf = /name="csrf" value="([^"]+)"/.exec(confirmPage)?.[1] ?? '';
    expect(await go(`/subscribe/confirm/${c}`, { method: 'POST', headers: urlencoded, body: `csrf=${confirmCsrf}` })).toBe(200);
    expect(await go(`/subscribe/confirm/${c}`, { method: 'POST', headers: urlencoded, body: `csrf=${confirmCsrf}` })).toBe(409);
    expect(await go(`/subscribe/confirm/${c.slice(0, -3)}`)).toBe(400);

    const log = lines.join('');
    expect(log).toContain('"event":"preferences.changed"');
    expect(log).toContain('"event":"preferences.one_click"');
    expect(log).toContain('"event":"preferences.refused"');
    expect(log).toContain('"route":"/preferences/:token"');
    for (const token of tokens) {
      // no token, nor any long piece of one
      expect(log).not.toContain(token.slice(0, 24));
      expect(log).not.toContain(token.slice(-24));
    }
  });
});
