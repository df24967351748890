import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.ts';

// A whole flow in a real browser, with mail between its steps: about 25 s on a busy CI core, so 90 s.
const BROWSER_FLOW = { timeout: 90_000 };

/**
 * A recipient's flows in real Chromium: from the email that arrived at a real SMTP server, through
 * the pages mailgate serves, to the state stored in the database — in English and in German.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const SCREENS = '/tmp/screens';
let sink: SmtpSink;
let app: TestApp;
let browser: Browser;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function mailFor(address: string, count = 1): Promise<ReceivedMail> {
  const deadline = Date.now() + 20_000;
  while (sink.to(address).length < count) {
    if (Date.now() > deadline) throw new Error(`no email #${count} for ${address}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return sink.to(address)[count - 1]!;
}

const linkIn = (html: string, path: string): string => {
  const match = new RegExp(`href="(${app.ctx.config.publicUrl}${path}/[A-Za-z0-9_-]+)"`).exec(html);
  if (!match) throw new Error(`no ${path} link in the email`);
  return match[1]!;
};

const state = (address: string) => app.subscriptions!.store.get(address);

/** A browser context speaking `locale`, which fails the test on any CSP violation or page error. */
async function contextFor(locale: 'en' | 'de'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: locale === 'de' ? 'de-DE' : 'en-US', viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000); // fail with Playwright's own message, well within the test's timeout
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return { context, page, problems };
}

const TEXT = {
  en: {
    preferences: 'Email preferences',
    unsubscribeFrom: (name: string) => `Unsubscribe from ${name}`,
    unsubscribedFrom: (name: string) => `You have unsubscribed from ${name}.`,
    unsubscribeAll: 'Unsubscribe from all',
    optedOut: 'You have unsubscribed from all marketing emails.',
    subscribeAgain: 'Subscribe again',
    welcomeBack: 'Welcome back!',
    oneClickButton: 'Unsubscribe',
    unsubscribed: 'You are unsubscribed',
    newsletter: 'Newsletter',
    events: 'Events',
    productUpdates: 'Product updates',
    email: 'Email address',
    send: 'Send confirmation email',
    checkInbox: 'Check your inbox',
    confirmTitle: 'Confirm your subscription',
    confirm: 'Confirm subscription',
    confirmed: 'You are subscribed',
    alreadyConfirmed: 'Already confirmed',
  },
  de: {
    preferences: 'E-Mail-Einstellungen',
    unsubscribeFrom: (name: string) => `${name} abbestellen`,
    unsubscribedFrom: (name: string) => `Sie haben „${name}“ abbestellt.`,
    unsubscribeAll: 'Alles abbestellen',
    optedOut: 'Sie haben alle Werbe-E-Mails abbestellt.',
    subscribeAgain: 'Wieder abonnieren',
    welcomeBack: 'Willkommen zurück!',
    oneClickButton: 'Abbestellen',
    unsubscribed: 'Abbestellt',
    newsletter: 'Newsletter',
    events: 'Veranstaltungen',
    productUpdates: 'Produkt-Updates',
    email: 'E-Mail-Adresse',
    send: 'Bestätigungs-E-Mail senden',
    checkInbox: 'Bitte prüfen Sie Ihr Postfach',
    confirmTitle: 'Abonnement bestätigen',
    confirm: 'Abonnement bestätigen',
    confirmed: 'Anmeldung bestätigt',
    alreadyConfirmed: 'Bereits bestätigt',
  },
} as const;

beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  sink = await startSmtpSink();
  const port = await freePort();
  // links in emails point straight at this server, so the browser follows them as they arrived
  app = await startTestApp(testConfig('e2e', { SMTP_URL: sink.url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.close();
});

describe.each(['en', 'de'] as const)('a recipient in %s', (locale) => {
  const t = TEXT[locale];

  it('uses the one-click page, then the footer link: unsubscribes from one type, from all, and re-subscribes', BROWSER_FLOW, async () => {
    const address = fresh(`footer-${locale}`);
    const data = (app.templates!.renderer.get('newsletter')?.sampleData ?? {}) as Record<string, unknown>;
    await app.messages!.enqueue({ kind: 'marketing', to: address, template: 'newsletter', subscriptionType: 'newsletter', data, locale });
    const mail = await mailFor(address);
    const html = mail.parsed?.html || '';
    const { context, page, problems } = await contextFor(locale);
    try {
      // One-click: the List-Unsubscribe URL, opened in a browser, only asks.
      const listUnsubscribe = /<(http[^>]+\/unsubscribe\/[^>]+)>/.exec(mail.header('List-Unsubscribe') ?? '')?.[1];
      expect(listUnsubscribe).toBeDefined();
      await page.goto(listUnsubscribe!);
      await expect.poll(() => page.locator('h1').textContent()).toBeTruthy();
      expect((await state(address)).version).toBe(0);
      await page.getByRole('button', { name: t.oneClickButton, exact: true }).click();
      await page.getByRole('heading', { name: t.unsubscribed }).waitFor();
      expect((await state(address)).subscriptions).toEqual({ newsletter: 'unsubscribed' });

      // The footer's preferences link.
      await page.goto(linkIn(html, '/preferences'));
      await page.getByRole('heading', { name: t.preferences }).waitFor();
      await page.screenshot({ path: `${SCREENS}/preferences-${locale}.png`, fullPage: true });
      await page.getByRole('button', { name: t.unsubscribeFrom(t.events) }).click();
      await page.getByRole('status').filter({ hasText: t.unsubscribedFrom(t.events) }).waitFor();
      expect(await state(address)).toMatchObject({ optedOutOfAll: false, subscriptions: { newsletter: 'unsubscribed', events: 'unsubscribed' } });

      await page.getByRole('button', { name: t.unsubscribeAll }).click();
      await page.getByText(t.optedOut).first().waitFor();
      expect((await state(address)).optedOutOfAll).toBe(true);
      await page.screenshot({ path: `${SCREENS}/preferences-opted-out-${locale}.png`, fullPage: true });

      // Re-subscribe with the keyboard: tick two types, submit.
      const group = page.getByRole('group', { name: t.subscribeAgain });
      await group.getByRole('checkbox', { name: t.newsletter }).focus();
      await page.keyboard.press('Space');
      await group.getByRole('checkbox', { name: t.productUpdates }).check();
      await page.getByRole('button', { name: t.subscribeAgain }).press('Enter');
      await page.getByRole('status').filter({ hasText: t.welcomeBack }).waitFor();
      expect(await state(address)).toMatchObject({
        optedOutOfAll: false,
        subscriptions: { newsletter: 'subscribed', 'product-updates': 'subscribed', events: 'unsubscribed' },
      });
      const history = await app.subscriptions!.store.history(address);
      expect(history.map((e) => e.source)).toEqual(['one_click', 'preferences_page', 'preferences_page', 'preferences_page']);
      expect(problems).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: `${SCREENS}/failed-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });

  it('fills the public form, opens the confirmation email’s link and confirms', BROWSER_FLOW, async () => {
    const address = fresh(`form-${locale}`);
    await app.subscriptions!.store.apply(address, { optedOutOfAll: true }, { source: 'api' });
    const { context, page, problems } = await contextFor(locale);
    try {
      await page.goto(`${app.url}/subscribe`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      await page.screenshot({ path: `${SCREENS}/subscribe-form-${locale}.png`, fullPage: true });
      // sent empty, the form comes back with its errors tied to the fields
      await page.getByRole('button', { name: t.send }).click();
      await expect.poll(() => page.getByLabel(t.email).getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel(t.email).focus();
      await page.screenshot({ path: `${SCREENS}/subscribe-form-errors-${locale}.png`, fullPage: true });
      await page.getByLabel(t.email).fill(address);
      await page.getByRole('checkbox', { name: t.events }).check();
      await page.getByRole('checkbox', { name: t.newsletter }).check();
      await page.getByRole('button', { name: t.send }).click();
      await page.getByRole('heading', { name: t.checkInbox }).waitFor();
      expect((await state(address)).optedOutOfAll).toBe(true); // nothing changes before the confirmation

      const mail = await mailFor(address);
      expect(mail.parsed?.subject).toBe(locale === 'de' ? 'Bitte bestätigen Sie Ihr Abonnement' : 'Please confirm your subscription');
      const confirmLink = linkIn(mail.parsed?.html || '', '/subscribe/confirm');
      await page.goto(confirmLink);
      await page.getByRole('heading', { name: t.confirmTitle }).waitFor();
      expect((await state(address)).optedOutOfAll).toBe(true);
      await page.screenshot({ path: `${SCREENS}/confirm-${locale}.png`, fullPage: true });
      await page.getByRole('button', { name: t.confirm }).click();
      await page.getByRole('heading', { name: t.confirmed }).waitFor();
      expect(await state(address)).toMatchObject({ optedOutOfAll: false, subscriptions: { events: 'subscribed', newsletter: 'subscribed' } });

      // the link works once: opened again it only says so
      const version = (await state(address)).version;
      await page.goto(confirmLink);
      await page.getByRole('heading', { name: t.alreadyConfirmed }).waitFor();
      expect(await page.getByRole('button').count()).toBe(0);
      expect((await state(address)).version).toBe(version);
      // the only console error allowed is the deliberate 422 of the empty form
      expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: `${SCREENS}/failed-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });
});
