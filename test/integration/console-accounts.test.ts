import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';

/**
 * Operator accounts: the CLI against the real database (password on stdin), and sign-in over HTTP:
 * one answer for a wrong password and an unknown account, then the per-account limit.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;

function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/console.ts', ...args], {
      env: { ...process.env, MONGO_URL: app.ctx.config.mongoUrl, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A sign-in attempt as a browser makes it: GET the form (session cookie + CSRF token), POST it. */
async function attempt(email: string, password: string): Promise<{ status: number; body: string; location: string | null }> {
  // PUBLIC_URL is https: the session cookie is Secure, so the requests come as through a TLS proxy
  const page = await fetch(`${app.url}/console/login`, { headers: { 'x-forwarded-proto': 'https' } });
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${app.url}/console/login`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
    body: new URLSearchParams({ csrf, email, password }),
    redirect: 'manual',
  });
  return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}

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
    expect((await attempt('ops@example.com', 'first password 123')).status).toBe(303);

    expect((await cli(['set-password', 'ops@example.com'], 'second password 456\n')).code).toBe(0);
    expect((await attempt('ops@example.com', 'first password 123')).status).toBe(401);
    expect((await attempt('OPS@example.com', 'second password 456')).location).toBe('/console');

    expect((await cli(['remove-user', 'ops@example.com'])).code).toBe(0);
    expect((await cli(['list-users'])).stdout).toBe('');
    expect((await attempt('ops@example.com', 'second password 456')).status).toBe(401);
  }, 90_000); // six CLI processes, each a tsx start-up: seconds apiece on a loaded 2-core machine
});

describe('sign-in', () => {
  it('answers a wrong password and an unknown account alike, then limits the account', async () => {
    expect((await cli(['add-user', 'limited@example.com', '--role', 'admin'], 'the right password 1\n')).code).toBe(0);
    const wrong = await attempt('limited@example.com', 'not the password');
    const unknown = await attempt('nobody-here@example.com', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(shape(wrong.body, 'limited@example.com')).toBe(shape(unknown.body, 'nobody-here@example.com'));
    expect(wrong.body).toContain('The email or password is not right.');

    for (let i = 0; i < 4; i++) expect((await attempt('limited@example.com', `wrong ${i}`)).status).toBe(401);
    // five failures: now even the right password is refused, and so is the unknown account after its five
    expect((await attempt('limited@example.com', 'the right password 1')).status).toBe(429);
    for (let i = 0; i < 4; i++) await attempt('nobody-here@example.com', `wrong ${i}`);
    expect((await attempt('nobody-here@example.com', 'anything at all')).status).toBe(429);
    // another account from the same IP is not affected
    expect((await cli(['add-user', 'other@example.com', '--role', 'support'], 'the right password 2\n')).code).toBe(0);
    expect((await attempt('other@example.com', 'the right password 2')).status).toBe(303);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax and Secure (PUBLIC_URL is https)', async () => {
    const res = await fetch(`${app.url}/console/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^mailgate_console=/);
    expect(cookie).toContain('Path=/console');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Lax');
    // over plain http a Secure cookie is not sent at all
    expect((await fetch(`${app.url}/console/login`)).headers.getSetCookie()).toEqual([]);
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
