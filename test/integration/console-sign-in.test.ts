import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository, DEFAULT_SIGN_IN_LIMITS } from '../../src/console/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { consoleCli, consoleClient, type ConsoleAnswer } from '../helpers/console-client.ts';
import { testConfig } from '../helpers/env.ts';

/**
 * The console's anonymous doors, over real HTTP against real Redis and FerretDB: what a visit to the
 * sign-in page stores (nothing but its per-IP counter), the sign-in form's cookie-bound CSRF check,
 * one per-account limit for every spelling of an account, and when a session stops being good
 * (password change, account removal, its absolute lifetime on a clock the test moves).
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let users: ConsoleUserRepository;
const client = consoleClient(() => app);
const cli = (args: string[], stdin = '') => consoleCli(app.ctx.config.mongoUrl)(args, stdin);
const PASSWORD = 'a long console password 42';
const MAX_HOURS = 2;
const HOUR = 3600_000;
// the console's clock: real time moved on by what a test adds (reset after each use)
let clockOffset = 0;
// each test signs in from its own addresses (TRUST_PROXY is loopback), so no test spends another's limits
let lastOctet = 0;
const freshIp = () => `198.51.100.${++lastOctet}`;

const prefix = () => app.ctx.config.queuePrefix;
async function keysMatching(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await app.ctx.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}
const sessionKeys = () => keysMatching(`${prefix()}:console-session:*`);
/** Every session and sign-in-limit entry with its value: what a refused post must leave as it was. */
async function signInState(): Promise<Record<string, string | null>> {
  const keys = [...(await sessionKeys()), ...(await keysMatching(`${prefix()}:rl:console-signin-ip:*`)), ...(await keysMatching(`${prefix()}:rl:console-signin-account:*`))];
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await app.ctx.redis.get(key)] as const)));
}
/** The Redis key of the session a `mailgate_console=s%3A<id>.<signature>` cookie names. */
const sessionKeyOf = (cookie: string) => `${prefix()}:console-session:${/^s:([^.]+)\./.exec(decodeURIComponent(cookie.split('=')[1] ?? ''))?.[1]}`;
const sessionCookies = (res: ConsoleAnswer) => res.setCookies.filter((c) => c.startsWith('mailgate_console='));

beforeAll(async () => {
  const config = testConfig('console-sign-in', { TRUST_PROXY: 'loopback', CONSOLE_SESSION_MAX_HOURS: String(MAX_HOURS) });
  app = await startTestApp(config, { api: true, worker: false }, { consoleClock: () => Date.now() + clockOffset });
  users = new ConsoleUserRepository({ db: app.ctx.db });
});
afterAll(async () => {
  await app?.stop();
});

describe('a visit to the sign-in page', () => {
  it('stores nothing per visit: 1,500 cookie-less visits add fewer than 100 Redis keys, and past the per-IP limit the page answers 429', async () => {
    const before = (await keysMatching(`${prefix()}:*`)).length;
    const ip = freshIp();
    const visit = async () => (await client.request('/console/login', ip)).status;
    const limit = DEFAULT_SIGN_IN_LIMITS.pagePerIp;
    const first: number[] = [];
    for (let i = 0; i < limit + 1; i++) first.push(await visit());
    // the rest side by side, 25 at a time: all 1,500 well inside the limit's one-minute window even on a loaded machine
    const rest: number[] = [];
    while (first.length + rest.length < 1500) rest.push(...(await Promise.all(Array.from({ length: Math.min(25, 1500 - first.length - rest.length) }, visit))));
    const added = (await keysMatching(`${prefix()}:*`)).length - before;
    expect(added).toBeLessThan(100);
    expect(await sessionKeys()).toEqual([]);
    expect(first).toEqual([...Array<number>(limit).fill(200), 429]);
    expect(rest).toEqual(Array<number>(1500 - limit - 1).fill(429));
    // another address still gets the page: the limit is per IP
    expect((await client.request('/console/login', freshIp())).status).toBe(200);
  }, 120_000); // 1,500 requests: seconds, more on a loaded machine

  it('signs in with the cookie and field the form came with; a missing, foreign or altered token is refused and stores nothing', async () => {
    const email = 'csrf-flow@ops.example.com';
    await users.add(email, 'admin', PASSWORD);
    const ip = freshIp();
    const form = await client.openSignIn(ip);
    expect(form.page.status).toBe(200);
    // the form's cookie, not a session: HttpOnly, SameSite=Strict, Secure (PUBLIC_URL is https), only sent to the sign-in
    expect(form.page.setCookies).toHaveLength(1);
    const [formCookie] = form.page.setCookies;
    expect(formCookie).toMatch(/^mailgate_console_login=[A-Za-z0-9_-]{22};/);
    expect(formCookie).toContain('Path=/console/login');
    expect(formCookie).toContain('HttpOnly');
    expect(formCookie).toContain('Secure');
    expect(formCookie).toContain('SameSite=Strict');
    // a second look at the form (another tab) keeps the cookie
    expect((await client.request('/console/login', ip, { cookie: form.cookie })).setCookies).toEqual([]);

    const other = await client.openSignIn(ip); // another visitor's form
    const altered = form.csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const state = await signInState();
    for (const [label, cookie, csrf] of [
      ['no token', form.cookie, ''],
      ['no cookie', '', form.csrf],
      ["another form's token", form.cookie, other.csrf],
      ["another form's cookie", other.cookie, form.csrf],
      ['an altered token', form.cookie, altered],
    ] as const) {
      const res = await client.request('/console/login', ip, { cookie, form: { csrf, email, password: PASSWORD } });
      expect(res.status, label).toBe(403);
      expect(res.body, label).toContain('This form has expired');
      expect(res.body, label).toContain('Nothing was changed.');
      expect(sessionCookies(res), label).toEqual([]);
    }
    expect(await signInState()).toEqual(state);

    const ok = await client.request('/console/login', ip, { cookie: form.cookie, form: { csrf: form.csrf, email, password: PASSWORD } });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/console');
    const [session] = sessionCookies(ok);
    expect(session).toContain('Path=/console');
    expect(session).toContain('HttpOnly');
    expect(session).toContain('Secure');
    expect(session).toContain('SameSite=Lax');
    // the form's cookie has served: cleared
    expect(ok.setCookies.find((c) => c.startsWith('mailgate_console_login='))).toContain('Expires=Thu, 01 Jan 1970');
    expect(await sessionKeys()).toEqual([sessionKeyOf(session!)]);
    const home = await client.request('/console', ip, { cookie: session!.split(';')[0] });
    expect(home.status).toBe(200);
    expect(home.body).toContain(email);
  });
});

describe('the per-account limit', () => {
  it('counts every spelling of one account (spaces, case, padding) against one limit; an email over 320 characters is refused before any lookup', async () => {
    const email = 'ann@x.test';
    await users.add(email, 'support', PASSWORD);
    const ip = freshIp();
    const spellings = [' Ann@X.test ', email + ' '.repeat(300), 'ANN@X.TEST', '\tann@x.test\n', `  aNn@x.TeSt${' '.repeat(50)}`];
    for (const spelling of spellings) expect((await client.attempt(spelling, 'not the password', ip)).status, JSON.stringify(spelling)).toBe(401);
    // five failures across five spellings: the account is limited, in every spelling, from every address
    expect((await client.attempt(email, PASSWORD, ip)).status).toBe(429);
    expect((await client.attempt(' ANN@x.test', PASSWORD, freshIp())).status).toBe(429);

    // past 320 characters the tail would be a fresh counter per spelling: refused as typed instead, whatever the password
    const padded = `${email}${' '.repeat(320)}junk-1`;
    const refused = await client.attempt(padded, PASSWORD, freshIp());
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('That email is longer than any address can be (320 characters at most).');
    expect(refused.body).toContain('Nothing was changed.');
    expect(sessionCookies(refused)).toEqual([]);
    expect((await client.attempt('a'.repeat(321), PASSWORD, freshIp())).status).toBe(400);
    // exactly 320 is still an attempt (here a failed one)
    expect((await client.attempt(`${'a'.repeat(320 - '@x.test'.length)}@x.test`, PASSWORD, freshIp())).status).toBe(401);
  });

  it('counts refused over-long emails against the per-IP limit', async () => {
    const ip = freshIp();
    const { cookie, csrf } = await client.openSignIn(ip); // one form, posted again and again (the token holds for a day)
    const post = (email: string) => client.request('/console/login', ip, { cookie, form: { csrf, email, password: PASSWORD } });
    for (let i = 0; i < DEFAULT_SIGN_IN_LIMITS.perIp; i++) expect((await post(`${'x'.repeat(321)}${i}`)).status).toBe(400);
    expect((await post('someone@x.test')).status).toBe(429);
  });
});

describe('sessions', () => {
  it('end when the password changes (npm run console -- set-password): every session of that operator, and only theirs', async () => {
    const email = 'changes-password@ops.example.com';
    const bystander = 'keeps-session@ops.example.com';
    await users.add(email, 'admin', PASSWORD);
    await users.add(bystander, 'admin', PASSWORD);
    const ip = freshIp();
    const sessions = [await client.signIn(email, PASSWORD, ip), await client.signIn(` ${email.toUpperCase()}`, PASSWORD, ip)]; // two browsers
    const other = await client.signIn(bystander, PASSWORD, ip);
    for (const cookie of [...sessions, other]) expect((await client.request('/console', ip, { cookie })).status).toBe(200);

    expect(await cli(['set-password', email], 'a new password 123\n')).toMatchObject({ code: 0 });
    for (const cookie of sessions) {
      const res = await client.request('/console', ip, { cookie });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/console/login');
      expect(await app.ctx.redis.exists(sessionKeyOf(cookie))).toBe(0);
    }
    expect((await client.request('/console', ip, { cookie: other })).status).toBe(200);
    // the new password signs in as before
    expect((await client.request('/console', ip, { cookie: await client.signIn(email, 'a new password 123', ip) })).status).toBe(200);
  }, 30_000); // one CLI process: a tsx start-up of seconds

  it('end when the account is removed (npm run console -- remove-user), and stay ended if the address gets an account again', async () => {
    const email = 'leaves@ops.example.com';
    await users.add(email, 'admin', PASSWORD);
    const ip = freshIp();
    const before = await client.signIn(email, PASSWORD, ip);
    const probe = await client.signIn(email, PASSWORD, ip);
    expect((await client.request('/console', ip, { cookie: before })).status).toBe(200);

    expect(await cli(['remove-user', email])).toMatchObject({ code: 0 });
    const gone = await client.request('/console', ip, { cookie: probe });
    expect(gone.status).toBe(303);
    expect(gone.location).toBe('/console/login');
    // the address is someone's account again (same role, even the same password): the old session is not theirs
    await users.add(email, 'admin', PASSWORD);
    const res = await client.request('/console', ip, { cookie: before });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/console/login');
    expect(await app.ctx.redis.exists(sessionKeyOf(before))).toBe(0);
  }, 30_000); // one CLI process

  it(`end ${MAX_HOURS} hours (CONSOLE_SESSION_MAX_HOURS) after sign-in, however active`, async () => {
    const email = 'stays-long@ops.example.com';
    await users.add(email, 'admin', PASSWORD);
    const ip = freshIp();
    try {
      const cookie = await client.signIn(email, PASSWORD, ip);
      // used all along: every 30 minutes up to a minute before the end
      for (let minutes = 0; minutes < MAX_HOURS * 60; minutes += 30) {
        clockOffset = minutes * 60_000;
        expect((await client.request('/console/addresses', ip, { cookie })).status, `${minutes} min`).toBe(200);
      }
      clockOffset = MAX_HOURS * HOUR - 60_000;
      expect((await client.request('/console', ip, { cookie })).status).toBe(200);
      clockOffset = MAX_HOURS * HOUR;
      const res = await client.request('/console', ip, { cookie });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/console/login');
      expect(await app.ctx.redis.exists(sessionKeyOf(cookie))).toBe(0);
      // signing in again starts a new lifetime
      expect((await client.request('/console', ip, { cookie: await client.signIn(email, PASSWORD, ip) })).status).toBe(200);
    } finally {
      clockOffset = 0;
    }
  });
});
