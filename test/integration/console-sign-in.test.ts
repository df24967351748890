import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository, DEFAULT_SIGN_IN_LIMITS } from '../../src/console/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { consoleClient } from '../helpers/console-client.ts';
import { testConfig } from '../helpers/env.ts';

/**
 * The console's anonymous doors, over real HTTP against real Redis and FerretDB: one per-account
 * limit for every spelling of an account.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let users: ConsoleUserRepository;
const client = consoleClient(() => app);
const PASSWORD = 'a long console password 42';
// each test signs in from its own addresses (TRUST_PROXY is loopback), so no test spends another's limits
let lastOctet = 0;
const freshIp = () => `198.51.100.${++lastOctet}`;

beforeAll(async () => {
  app = await startTestApp(testConfig('console-sign-in', { TRUST_PROXY: 'loopback' }), { api: true, worker: false });
  users = new ConsoleUserRepository({ db: app.ctx.db });
});
afterAll(async () => {
  await app?.stop();
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
