import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository, type ConsoleRole } from '../../src/console/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { expectAccessible, freePort, launchChromium, newPage as newBrowserPage, signIn as signInAs } from '../helpers/console-browser.ts';
import { testConfig } from '../helpers/env.ts';

// A whole flow in a real browser, with mail between its steps: about 25 s on a busy CI core, so 90 s.
const BROWSER_FLOW = { timeout: 90_000 };

/**
 * The operator console in real Chromium against the real app (MongoDB on FerretDB, Redis): sign-in,
 * an address's timeline and changes through the use cases, suppressions, roles, CSRF, escaping, and
 * an accessibility scan of every console page and the recipient pages.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let app: TestApp;
let browser: Browser;
let base: string;
const PASSWORD = 'a long console password 42';
const tag = randomBytes(3).toString('hex');
const operator = (role: ConsoleRole) => `${role}-${tag}@ops.example.com`;
const addr = (label: string) => `${label}-${tag}@example.com`;
const store = () => app.subscriptions.store;

const newPage = () => newBrowserPage(browser);

async function signIn(page: Page, role: ConsoleRole): Promise<void> {
  await page.goto(`${base}/console`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await signInAs(page, base, operator(role), PASSWORD);
}

/** A form post from the page's own cookies, with or without a CSRF token. */
const post = (page: Page, path: string, form: Record<string, string>) => page.request.post(`${base}${path}`, { form, maxRedirects: 0 });
const csrfOf = (page: Page) => page.locator('form[action="/console/logout"] input[name=csrf]').getAttribute('value');

beforeAll(async () => {
  const port = await freePort();
  app = await startTestApp(testConfig('console-e2e', { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }), { api: true, worker: false });
  base = `http://127.0.0.1:${port}`;
  const users = new ConsoleUserRepository({ db: app.ctx.db });
  for (const role of ['admin', 'support', 'marketer'] as const) await users.add(operator(role), role, PASSWORD);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the console for support staff', () => {
  it('finds an address, reads its timeline, refuses a re-subscribe without a legal basis, then re-subscribes with one', BROWSER_FLOW, async () => {
    const address = addr('ann');
    await store().apply(address, { optedOutOfAll: true, subscriptions: { newsletter: 'unsubscribed' } }, { source: 'preferences_page', ip: '203.0.113.7', userAgent: '<img src=x onerror=alert(1)>Mozilla' });
    await app.messages.enqueue({ kind: 'transactional', to: address, template: 'password-reset', data: app.templates.renderer.get('password-reset')?.sampleData ?? {}, locale: 'en' });
    const { context, page, problems } = await newPage();
    try {
      await signIn(page, 'support');
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Addresses' }).click();
      await page.getByLabel('Email address').fill(`  ${address.toUpperCase()} `);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: address }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe(`Address ${address}`);

      // the timeline: source, IP, user agent (escaped), and the change
      const timeline = page.locator('ol.timeline');
      await expect.poll(() => timeline.textContent()).toContain('preferences_page');
      const text = (await timeline.textContent()) ?? '';
      expect(text).toContain('203.0.113.7');
      expect(text).toContain('<img src=x onerror=alert(1)>Mozilla');
      expect(text).toContain('newsletter: not_specified → unsubscribed');
      expect(await page.locator('ol.timeline img').count()).toBe(0);
      expect(await page.locator('#h-messages + .table-scroll table').textContent()).toContain('password-reset');

      // without a legal basis: refused with the API's message, nothing changed
      const before = await store().get(address);
      await page.getByLabel('Newsletter', { exact: true }).check();
      await page.getByLabel('Clear the opt-out of all marketing').check();
      await page.getByLabel('Explanation').first().fill('asked by phone');
      await page.getByRole('button', { name: 'Re-subscribe' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('This address opted out: re-subscribing it needs a legalBasis and a non-empty legalBasisExplanation');
      const unchanged = await store().get(address);
      expect(unchanged.version).toBe(before.version);
      expect(unchanged.optedOutOfAll).toBe(true);
      expect(unchanged.subscriptions.newsletter).toBe('unsubscribed');

      // with one: applied, the operator is the actor, the explanation shows escaped
      await page.getByLabel('Newsletter', { exact: true }).check();
      await page.getByLabel('Clear the opt-out of all marketing').check();
      await page.getByLabel('Legal basis').selectOption('consent_with_notice');
      await page.getByLabel('Explanation').first().fill('<b>confirmed</b> by phone');
      await page.getByRole('button', { name: 'Re-subscribe' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Re-subscribed');
      const after = await store().get(address);
      expect(after.optedOutOfAll).toBe(false);
      expect(after.subscriptions.newsletter).toBe('subscribed');
      const last = (await store().history(address)).at(-1)!;
      expect(last).toMatchObject({ source: 'operator', actor: operator('support'), legalBasis: 'consent_with_notice', legalBasisExplanation: '<b>confirmed</b> by phone' });
      const newest = page.locator('ol.timeline > li').first();
      expect(await newest.textContent()).toContain(operator('support'));
      expect(await newest.textContent()).toContain('<b>confirmed</b> by phone');
      expect(await page.locator('ol.timeline b').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists suppressions by reason and lifts one; a complaint needs a legal basis', BROWSER_FLOW, async () => {
    const bounced = addr('bounced');
    const complained = addr('complained');
    await store().apply(bounced, { suppression: { kind: 'hard_bounce', at: new Date(), source: 'bounce', detail: '550 <i>no such user</i>' } }, { source: 'bounce' });
    await store().apply(complained, { optedOutOfAll: true, suppression: { kind: 'complaint', at: new Date(), source: 'complaint' } }, { source: 'complaint' });
    const { context, page } = await newPage();
    try {
      await signIn(page, 'support');
      await page.goto(`${base}/console/suppressions`);
      await page.getByLabel('Reason').selectOption('hard_bounce');
      await page.getByRole('button', { name: 'Filter' }).click();
      const table = page.locator('table');
      expect(await table.textContent()).toContain(bounced);
      expect(await table.textContent()).toContain('550 <i>no such user</i>');
      expect(await table.textContent()).not.toContain(complained);
      await page.getByLabel('Explanation').first().fill('mailbox restored, confirmed by phone');
      await page.getByRole('button', { name: `Lift suppression: ${bounced}` }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Suppression lifted');
      expect((await store().get(bounced)).suppression).toBeUndefined();
      expect((await store().history(bounced)).at(-1)).toMatchObject({ actor: operator('support'), legalBasisExplanation: 'mailbox restored, confirmed by phone' });

      // the complaint, from its address page: without a legal basis refused, nothing changed
      await page.goto(`${base}/console/addresses/${encodeURIComponent(complained)}`);
      await page.locator('#lift-explanation').fill('customer asked');
      await page.getByRole('button', { name: 'Lift suppression' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('lifting it needs a legalBasis');
      expect((await store().get(complained)).suppression?.kind).toBe('complaint');
    } finally {
      await context.close();
    }
  });
});

describe('roles, CSRF and sessions', () => {
  const PAGES = ['addresses', 'suppressions', 'forms', 'templates', 'deliverability', 'activity'] as const;
  const SEES: Record<ConsoleRole, readonly string[]> = {
    admin: PAGES,
    support: ['addresses', 'suppressions'],
    marketer: ['forms', 'templates', 'deliverability'],
  };

  it.each(['admin', 'support', 'marketer'] as const)('%s sees exactly its pages; others answer 403', async (role) => {
    const { context, page } = await newPage();
    try {
      await signIn(page, role);
      const nav = await page.locator('nav ul a').allTextContents();
      expect(nav).toEqual(PAGES.filter((p) => SEES[role].includes(p)).map((p) => ({ addresses: 'Addresses', suppressions: 'Suppressions', forms: 'Subscription forms', templates: 'Templates', deliverability: 'Deliverability', activity: 'Activity' })[p]));
      for (const section of PAGES) {
        const res = await page.request.get(`${base}/console/${section}`, { maxRedirects: 0 });
        if (SEES[role].includes(section)) expect(res.status(), `${role} ${section}`).toBe(200);
        else expect(res.status(), `${role} ${section}`).toBe(403);
        if (section === 'addresses' || section === 'suppressions' || section === 'activity') expect(res.status() === 200, `${role} ${section}`).toBe(SEES[role].includes(section));
      }
    } finally {
      await context.close();
    }
  });

  it('refuses a marketer changing an address, and any post without or with a foreign CSRF token', async () => {
    const address = addr('csrf');
    await store().apply(address, { subscriptions: { events: 'subscribed' } }, { source: 'api' });
    const version = (await store().get(address)).version;
    const marketer = await newPage();
    const support = await newPage();
    const other = await newPage();
    try {
      await signIn(marketer.page, 'marketer');
      const res = await post(marketer.page, `/console/addresses/${encodeURIComponent(address)}/opt-out`, { csrf: (await csrfOf(marketer.page))! });
      expect(res.status()).toBe(403);

      await signIn(support.page, 'support');
      await signIn(other.page, 'admin');
      expect((await post(support.page, `/console/addresses/${encodeURIComponent(address)}/opt-out`, {})).status()).toBe(403);
      const foreign = (await csrfOf(other.page))!;
      expect((await post(support.page, `/console/addresses/${encodeURIComponent(address)}/opt-out`, { csrf: foreign })).status()).toBe(403);
      const state = await store().get(address);
      expect(state.version).toBe(version);
      expect(state.optedOutOfAll).toBe(false);

      // the same post with its own token goes through (so the refusals above were the token's doing)
      const ok = await post(support.page, `/console/addresses/${encodeURIComponent(address)}/opt-out`, { csrf: (await csrfOf(support.page))! });
      expect(ok.status()).toBe(303);
      expect((await store().get(address)).optedOutOfAll).toBe(true);
    } finally {
      await Promise.all([marketer.context.close(), support.context.close(), other.context.close()]);
    }
  });

  it('signs out a tampered session cookie, and on sign-out', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, 'admin');
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'mailgate_console', httpOnly: true, sameSite: 'Lax', path: '/console' });
      const tampered = cookie!.value.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      await context.addCookies([{ ...cookie!, value: tampered }]);
      await page.goto(`${base}/console/addresses`);
      expect(new URL(page.url()).pathname).toBe('/console/login');

      await context.addCookies([cookie!]);
      await page.goto(`${base}/console`);
      expect(new URL(page.url()).pathname).toBe('/console');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${base}/console/login`);
      await context.addCookies([cookie!]); // the old session is gone from Redis, not only from the browser
      await page.goto(`${base}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
    } finally {
      await context.close();
    }
  });
});

describe('accessibility', () => {
  it('has no serious or critical axe violation on any console page or recipient page', async () => {
    const address = addr('axe');
    await store().apply(address, { optedOutOfAll: true, suppression: { kind: 'complaint', at: new Date(), source: 'complaint' } }, { source: 'complaint', userAgent: 'Mail/1.0' });
    // A message row whose decision links to that event (this app runs no worker: its outcome is recorded as the sender would).
    const { id } = await app.messages.enqueue({ kind: 'marketing', to: address, template: 'newsletter', subscriptionType: 'newsletter', data: app.templates.renderer.get('newsletter')?.sampleData ?? {} });
    await app.messages.repository.recordOutcomes([{ id, outcome: { status: 'suppressed', reason: 'complaint', attempts: 1, decision: { rule: 'complaint', stateVersion: 1, consentMode: 'opt-out' } } }]);
    const { context, page, problems } = await newPage();
    try {
      await page.goto(`${base}/console/login`);
      await expectAccessible(page, 'login');
      await page.getByLabel('Email').fill('nobody@example.com');
      await page.getByLabel('Password').fill('wrong password 123');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectAccessible(page, 'login failed');
      await signIn(page, 'admin');
      await expectAccessible(page, 'home');
      for (const path of ['/console/addresses', `/console/addresses?q=${encodeURIComponent(address)}`, '/console/addresses?q=not-an-address', `/console/addresses/${encodeURIComponent(address)}`, '/console/suppressions', '/console/activity', '/console/nope']) {
        await page.goto(`${base}${path}`);
        await expectAccessible(page, path);
      }
      // the row's link leads to the timeline entry of its event
      await page.goto(`${base}/console/addresses/${encodeURIComponent(address)}`);
      await page.getByRole('link', { name: 'Consent event 1' }).click();
      expect(new URL(page.url()).hash).toBe('#event-1');
      expect(await page.locator('ol.timeline > li:target').textContent()).toContain(`${address}#1`);
      const { page: supportPage, context: supportContext } = await newPage();
      try {
        await signIn(supportPage, 'support');
        await supportPage.goto(`${base}/console/activity`);
        expect(await supportPage.locator('h1').textContent()).toBe('Not for your role');
        await expectAccessible(supportPage, '403');
      } finally {
        await supportContext.close();
      }

      const { tokens } = app.ctx;
      const recipient = addr('recipient');
      const recipientPages = [
        `/preferences/${tokens.sign({ k: 'p', a: recipient })}`,
        `/unsubscribe/${tokens.sign({ k: 'u', a: recipient, t: 'newsletter' })}`,
        '/subscribe',
        '/subscribe?lang=de',
      ];
      for (const path of recipientPages) {
        const res = await page.goto(`${base}${path}`);
        expect(res?.status(), path).toBe(200);
        await expectAccessible(page, path);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000); // an axe scan of some fifteen pages: about 20 s alone, more beside another browser test

  it('sends a strict CSP that forbids framing on console pages', async () => {
    const res = await fetch(`${base}/console/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
