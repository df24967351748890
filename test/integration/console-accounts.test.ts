import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository } from '../../src/console/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { consoleCli, consoleClient } from '../helpers/console-client.ts';
import { testConfig } from '../helpers/env.ts';

/**
 * Operator accounts: the CLI against the real database (password on stdin), and sign-in over HTTP:
 * one answer for a wrong password and an unknown account, then the per-account limit.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
const client = consoleClient(() => app);
const cli = (args: string[], stdin = '') => consoleCli(app.ctx.config.mongoUrl)(args, stdin);
// each test signs in from its own address (TRUST_PROXY is loopback), so no test spends another's limits
let lastOctet = 0;
const freshIp = () => `203.0.113.${++lastOctet}`;

/** The page without what legitimately differs: the CSRF token and the echoed email. */
const shape = (body: string, email: string) => body.replace(/name="csrf" value="[^"]+"/, 'csrf').replaceAll(email, 'EMAIL');

beforeAll(async () => {
  app = await startTestApp(testConfig('console-accounts', { TRUST_PROXY: 'loopback' }), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

describe('npm run console', () => {
  it('adds a user with the password from stdin, lists, re-sets and removes it', async () => {
    const added = await cli(['add-user', 'Ops@Example.com', '--role', 'support'], 'first password 123\n');
    expect(added).toMatchObject({ code: 0, stdout: 'added ops@example.com (support)\n' });
    // The three refusals are independent: run side by side (each CLI run is a tsx start-up of seconds).
    const [duplicate, badRole, short] = await Promise.all([
      cli(['add-user', 'ops@example.com', '--role', 'admin'], 'another password 1\n'),
      cli(['add-user', 'x@example.com', '--role', 'root'], 'another password 1\n'),
      cli(['add-user', 'short@example.com', '--role', 'admin'], 'short\n'),
    ]);
    expect(duplicate.code).toBe(1);
    expect(badRole.code).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');

    const listed = await cli(['list-users']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => line.split('\t').slice(0, 2))).toEqual([['ops@example.com', 'support']]);
    const ip = freshIp();
    expect((await client.attempt('ops@example.com', 'first password 123', ip)).status).toBe(303);

    expect((await cli(['set-password', 'ops@example.com'], 'second password 456\n')).code).toBe(0);
    expect((await client.attempt('ops@example.com', 'first password 123', ip)).status).toBe(401);
    expect((await client.attempt('OPS@example.com', 'second password 456', ip)).location).toBe('/console');

    expect((await cli(['remove-user', 'ops@example.com'])).code).toBe(0);
    expect((await cli(['list-users'])).stdout).toBe('');
    expect((await client.attempt('ops@example.com', 'second password 456', ip)).status).toBe(401);
  }, 90_000); // six CLI processes, each a tsx start-up: seconds apiece on a loaded 2-core machine
});

describe('sign-in', () => {
  it('answers a wrong password and an unknown account alike, then limits the account', async () => {
    const ip = freshIp();
    expect((await cli(['add-user', 'limited@example.com', '--role', 'admin'], 'the right password 1\n')).code).toBe(0);
    const wrong = await client.attempt('limited@example.com', 'not the password', ip);
    const unknown = await client.attempt('nobody-here@example.com', 'not the password', ip);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(shape(wrong.body, 'limited@example.com')).toBe(shape(unknown.body, 'nobody-here@example.com'));
    expect(wrong.body).toContain('The email or password is not right.');

    for (let i = 0; i < 4; i++) expect((await client.attempt('limited@example.com', `wrong ${i}`, ip)).status).toBe(401);
    // five failures: now even the right password is refused, and so is the unknown account after its five
    expect((await client.attempt('limited@example.com', 'the right password 1', ip)).status).toBe(429);
    for (let i = 0; i < 4; i++) await client.attempt('nobody-here@example.com', `wrong ${i}`, ip);
    expect((await client.attempt('nobody-here@example.com', 'anything at all', ip)).status).toBe(429);
    // another account from the same IP is not affected
    expect((await cli(['add-user', 'other@example.com', '--role', 'support'], 'the right password 2\n')).code).toBe(0);
    expect((await client.attempt('other@example.com', 'the right password 2', ip)).status).toBe(303);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax and Secure (PUBLIC_URL is https) on sign-in, not on the sign-in page', async () => {
    const ip = freshIp();
    await new ConsoleUserRepository({ db: app.ctx.db }).add('cookie@example.com', 'support', 'the right password 3');
    const page = await client.request('/console/login', ip);
    expect(page.setCookies.filter((c) => c.startsWith('mailgate_console='))).toEqual([]);
    const signedIn = await client.attempt('cookie@example.com', 'the right password 3', ip);
    const [cookie] = signedIn.setCookies.filter((c) => c.startsWith('mailgate_console='));
    expect(cookie).toMatch(/^mailgate_console=/);
    expect(cookie).toContain('Path=/console');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Lax');
  });

  it('refuses a sign-in post without a CSRF token', async () => {
    const res = await fetch(`${app.url}/console/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'a@example.com', password: 'whatever' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
  });
});
