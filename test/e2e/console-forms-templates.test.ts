import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository, type ConsoleRole } from '../../src/console/index.ts';
import { SubscriptionForms } from '../../src/preferences/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { expectAccessible, freePort, launchChromium, newPage as newBrowserPage, signIn as signInAs } from '../helpers/console-browser.ts';
import { eventually } from '../helpers/processes.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// A whole flow in a real browser, with mail between its steps: about 25 s on a busy CI core, so 90 s.
const BROWSER_FLOW = { timeout: 90_000 };

/**
 * The console's subscription forms and templates sections in real Chromium against the real app
 * (FerretDB, Redis, the send worker, an SMTP sink): a form from creation to a confirmed
 * subscription, a German preview in the sandboxed iframe, a test send, roles and accessibility.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let app: TestApp;
let sink: SmtpSink;
let browser: Browser;
let base: string;
let forms: SubscriptionForms;
const PASSWORD = 'a long console password 42';
const tag = randomBytes(3).toString('hex');
const operator = (role: ConsoleRole) => `${role}-${tag}@ops.example.com`;

// Expected in the preview iframe: axe's injection refused by the sandbox (no script runs there), and
// MJML's web-font link refused by the console CSP (the console loads nothing from outside).
const PREVIEW_NOISE = (text: string) =>
  text.startsWith("Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed") || text.startsWith("Loading the stylesheet 'https://fonts.googleapis.com/");
const newPage = () => newBrowserPage(browser, PREVIEW_NOISE);
const signIn = (page: Page, role: ConsoleRole) => signInAs(page, base, operator(role), PASSWORD);

/** The response of the navigation a click causes (to read its status). */
async function clickFor(page: Page, path: string, click: () => Promise<void>) {
  const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === 'POST'), click()]);
  return response;
}

beforeAll(async () => {
  const port = await freePort();
  sink = await startSmtpSink();
  base = `http://127.0.0.1:${port}`;
  // Marketing with a pace of its own (the activity page shows it; only its test below sends marketing).
  const marketingPace = { STREAM_MARKETING_RATE_PER_SECOND: '14', STREAM_MARKETING_RATE_PER_DAY: '1' };
  app = await startTestApp(testConfig('console-ft', { PORT: String(port), PUBLIC_URL: base, SMTP_URL: sink.url, ...marketingPace }), { api: true, worker: true, queues: ['send'] });
  forms = new SubscriptionForms({ db: app.ctx.db, catalog: app.ctx.catalog });
  const users = new ConsoleUserRepository({ db: app.ctx.db });
  for (const role of ['support', 'marketer', 'admin'] as const) await users.add(operator(role), role, PASSWORD);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.close();
});

describe('subscription forms in the console', () => {
  it('creates a form offering two types, whose public page leads through the confirmation mail to exactly those types', BROWSER_FLOW, async () => {
    const id = `spring-${tag}`;
    const address = `reader-${tag}@example.com`;
    const { context, page, problems } = await newPage();
    try {
      await signIn(page, 'marketer');
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Subscription forms' }).click();
      await expectAccessible(page, 'forms list (empty)');

      // a refusal of the use case: shown on the page (422), nothing stored
      await page.getByLabel('Form ID').fill('Not A Slug');
      await page.getByLabel('Title (English)').fill('x');
      await page.getByLabel('Title (German)').fill('y');
      await page.getByLabel('Newsletter').check();
      const refused = await clickFor(page, '/console/forms', () => page.getByRole('button', { name: 'Create form' }).click());
      expect(refused.status()).toBe(422);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('A form id is');
      expect(await page.getByLabel('Form ID').inputValue()).toBe('Not A Slug'); // what was typed stays
      expect(await forms.list()).toEqual([]);

      await page.getByLabel('Form ID').fill(id);
      await page.getByLabel('Title (English)').fill('Spring <b>news</b>');
      await page.getByLabel('Title (German)').fill('Frühlings-Neuigkeiten');
      await page.getByLabel('Intro (English)').fill('Hear from us & more.');
      await page.getByLabel('Intro (German)').fill('Hören Sie von uns.');
      await page.getByLabel('Newsletter').check();
      await page.getByLabel('Events').check();
      await page.getByRole('button', { name: 'Create form' }).click();
      await page.waitForURL(`${base}/console/forms/${id}?done=created`);
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Form created');
      expect(await forms.get(id)).toMatchObject({ types: ['newsletter', 'events'], enabled: true, createdBy: operator('marketer'), title: { en: 'Spring <b>news</b>' } });
      expect(await page.locator('main b').count()).toBe(0);
      await expectAccessible(page, 'form edit');

      // edit: a change through the use case, the operator as its author
      await page.getByLabel('Title (English)').fill('Spring <b>news</b>!');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`${base}/console/forms/${id}?done=saved`);
      expect(await forms.get(id)).toMatchObject({ title: { en: 'Spring <b>news</b>!' }, updatedBy: operator('marketer') });

      // the list: URL and a copyable, escaped snippet
      await page.getByRole('link', { name: 'All subscription forms' }).click();
      const url = `${base}/subscribe/${id}`;
      expect(await page.getByLabel('HTML snippet').inputValue()).toBe(`<a href="${url}">Spring &lt;b&gt;news&lt;/b&gt;!</a>`);
      expect(await page.getByLabel('HTML snippet').getAttribute('readonly')).not.toBeNull();
      await expectAccessible(page, 'forms list');

      // the public flow: the form, the confirmation mail, the confirmation
      await page.getByRole('link', { name: url }).click();
      await page.waitForURL(url);
      expect(await page.locator('h1').textContent()).toBe('Spring <b>news</b>!');
      await expectAccessible(page, 'stored form page');
      await page.getByLabel('Email address').fill(address);
      await page.getByLabel('Newsletter').check();
      await page.getByLabel('Events').check();
      await page.getByRole('button', { name: 'Send confirmation email' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await expectAccessible(page, 'check your inbox');
      await expect.poll(() => sink.to(address).length, { timeout: 15_000 }).toBe(1);
      const link = new RegExp(`${base.replace(/[.]/g, '\\.')}/subscribe/confirm/[A-Za-z0-9_-]+`).exec(sink.to(address)[0]!.parsed?.text ?? '')?.[0];
      expect(link).toBeDefined();
      await page.goto(link!);
      await expectAccessible(page, 'confirmation question');
      await page.getByRole('button', { name: 'Confirm subscription' }).click();
      await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
      await expectAccessible(page, 'confirmed');
      const state = await app.subscriptions.store.get(address);
      expect(state.subscriptions).toEqual({ newsletter: 'subscribed', events: 'subscribed' });

      // disable: the public page is gone
      await page.goto(`${base}/console/forms`);
      await page.getByRole('button', { name: `Disable ${id}` }).click();
      await page.waitForURL(`${base}/console/forms?done=disabled`);
      expect((await forms.get(id)).enabled).toBe(false);
      expect((await fetch(url)).status).toBe(404);
      await page.getByRole('button', { name: `Enable ${id}` }).click();
      await page.waitForURL(`${base}/console/forms?done=enabled`);
      expect((await fetch(url)).status).toBe(200);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('templates in the console', () => {
  it('lists templates, previews one in German in a sandboxed iframe, refuses invalid JSON, and sends a test', BROWSER_FLOW, async () => {
    const { context, page, problems } = await newPage();
    try {
      await signIn(page, 'marketer');
      await page.goto(`${base}/console/templates`);
      const rows = await page.locator('tbody tr').allTextContents();
      for (const t of app.templates.renderer.list()) expect(rows.some((r) => r.includes(t.name) && r.includes(t.kind) && r.includes(t.subscriptionType ?? ''))).toBe(true);
      await expectAccessible(page, 'templates list');

      await page.getByRole('link', { name: 'newsletter', exact: true }).click();
      await page.waitForURL(`${base}/console/templates/newsletter`);
      expect(await page.getByRole('heading', { name: 'Checker findings' }).isVisible()).toBe(true);
      await page.getByLabel('Locale').selectOption('de');
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('heading', { name: 'Preview (German)' }).waitFor();
      const frame = page.locator('iframe.preview');
      expect(await frame.getAttribute('sandbox')).toBe('');
      expect(await frame.getAttribute('srcdoc')).toContain('Der Lumen-Brief');
      await expect.poll(() => page.frameLocator('iframe.preview').locator('body').textContent()).toContain('Ihr Lumen-Team');
      await expectAccessible(page, 'template preview');

      // invalid JSON: a message on the page, 422, not a 500
      await page.getByLabel('Data (JSON)').fill('{"issue": 12,');
      const invalid = await clickFor(page, '/console/templates/newsletter/preview', () => page.getByRole('button', { name: 'Preview' }).click());
      expect(invalid.status()).toBe(422);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('The data is not valid JSON');
      expect(await page.getByLabel('Data (JSON)').inputValue()).toBe('{"issue": 12,');
      await expectAccessible(page, 'template invalid data');
      await page.getByLabel('Data (JSON)').fill('{"issue": 12}');
      const unfilled = await clickFor(page, '/console/templates/newsletter/preview', () => page.getByRole('button', { name: 'Preview' }).click());
      expect(unfilled.status()).toBe(422);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('needs data field');

      // a test of a marketing template to the operator, who subscribed to nothing: transactional, marked, it arrives
      await page.goto(`${base}/console/templates/newsletter?locale=de`);
      await page.getByRole('button', { name: 'Send me a test' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain(`A test was sent to ${operator('marketer')}`);
      await expect.poll(() => sink.to(operator('marketer')).length, { timeout: 15_000 }).toBe(1);
      const mail = sink.to(operator('marketer'))[0]!;
      expect(mail.parsed?.subject).toMatch(/^\[Test\] .*Der Lumen-Brief/);
      const stored = await app.messages.repository.model.findOne({ to: operator('marketer') }).lean();
      expect(stored).toMatchObject({ kind: 'transactional', template: 'newsletter', test: true, locale: 'de' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows an admin the last hour from the database and the latest bounces on the activity page', async () => {
    // After the confirmation and test mails above: sent outcomes of the last hour, and one reported bounce.
    const { id } = await app.messages.enqueue({ kind: 'transactional', to: `bounced-${tag}@example.org`, template: 'welcome', data: app.templates.renderer.get('welcome')!.sampleData });
    await eventually(async () => ((await app.messages.getStatus(id)).status === 'sent' ? true : undefined));
    await app.messages.repository.recordFeedback(id, { type: 'hard_bounce', at: new Date(), provider: 'dsn', eventId: `e-${tag}`, statusCode: '5.1.1', diagnostic: 'user unknown' });
    const { context, page } = await newPage();
    try {
      await signIn(page, 'admin');
      await page.goto(`${base}/console/activity`);
      const hour = page.locator('section[aria-labelledby="h-hour"]');
      const sentCell = hour.locator('tr', { hasText: /^sent/ }).locator('td').nth(1);
      expect(Number(await sentCell.textContent())).toBeGreaterThanOrEqual(2);
      const bounces = page.locator('section[aria-labelledby="h-bounces"]');
      await expect.poll(() => bounces.textContent()).toContain(id);
      expect(await bounces.textContent()).toContain('5.1.1 user unknown');
    } finally {
      await context.close();
    }
  });

  it('shows an admin each stream on the activity page: its queue, relay, limits and whether it is held back now', async () => {
    // The marketing stream's day quota is 1: one newsletter fills it.
    const data = app.templates.renderer.get('newsletter')!.sampleData;
    const { id } = await app.messages.enqueue({ kind: 'marketing', to: `quota-${tag}@example.org`, template: 'newsletter', subscriptionType: 'newsletter', data });
    await eventually(async () => ((await app.messages.getStatus(id)).status === 'sent' ? true : undefined));
    const { context, page } = await newPage();
    try {
      await signIn(page, 'admin');
      await page.goto(`${base}/console/activity`);
      const streams = page.locator('section[aria-labelledby="h-queue"]');
      expect(await streams.locator('h2').textContent()).toBe('Streams');
      const cells = async (stream: string) => streams.locator('tr', { has: page.locator(`th[scope="row"]`, { hasText: stream }) }).locator('td').allTextContents();
      const relay = `smtp://127.0.0.1:${sink.port}`;
      const nextUtcMidnight = new Date((Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000).toISOString();
      // relay, waiting, active, delayed, failed, limits, now
      expect(await cells('transactional')).toEqual([relay, '0', '0', '0', '0', 'unlimited', 'sending']);
      expect(await cells('marketing')).toEqual([relay, '0', '0', '0', '0', '14/s · 1/day', `day limit reached until ${nextUtcMidnight}`]);
      await expectAccessible(page, '/console/activity with streams');
    } finally {
      await context.close();
    }
  });

  it('answers 403 to support staff on both sections', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, 'support');
      for (const path of ['/console/forms', '/console/templates', '/console/templates/newsletter']) {
        expect((await page.request.get(`${base}${path}`, { maxRedirects: 0 })).status(), path).toBe(403);
      }
      const nav = await page.locator('nav ul a').allTextContents();
      expect(nav).not.toContain('Subscription forms');
      expect(nav).not.toContain('Templates');
    } finally {
      await context.close();
    }
  });
});
