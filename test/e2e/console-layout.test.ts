import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository, type ConsoleRole } from '../../src/console/index.ts';
import { SubscriptionForms } from '../../src/preferences/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { freePort, launchChromium, signIn } from '../helpers/console-browser.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

/**
 * Every console page in real Chromium at a desktop (1280 px) and a phone (390 px) width, with data
 * that fills its tables: a screenshot of each (screenshots/console-layout/, gitignored), and no word
 * broken inside itself across lines. A "word" is a run of letters, so an address or an id wrapping
 * at its `@`, `.` or `-` is fine; "Stat|e" or "n|o|n|e" is not.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const WIDTHS = [1280, 390];
const SHOTS = 'screenshots/console-layout';
// Two widths × a dozen pages in one browser: about 30 s on a busy core.
const ALL_PAGES = { timeout: 120_000 };

let app: TestApp;
let sink: SmtpSink;
let browser: Browser;
let base: string;
const PASSWORD = 'a long console password 42';
const tag = randomBytes(3).toString('hex');
const operator = (role: ConsoleRole) => `${role}-${tag}@ops.example.com`;
// long enough to need wrapping at 390 px, at its punctuation
const ADDRESS = `margarethe.mustermann-schulze+newsletter-${tag}@subscribers.example-company.com`;
const formId = `autumn-${tag}`;

/**
 * The words (runs of letters) of the page's text whose glyphs sit on more than one line, measured
 * with a DOM Range per word. A string, run in the page: the test code is not compiled with the DOM types.
 */
const BROKEN_WORDS = `(() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent || '';
    for (const m of text.matchAll(/\\p{L}+/gu)) {
      if (m[0].length < 2) continue;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      // closed <details>, hidden elements: no boxes, nothing to break
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length < 2) continue;
      const tops = rects.map((r) => r.top);
      const lineHeight = Math.min(...rects.map((r) => r.height));
      if (Math.max(...tops) - Math.min(...tops) > lineHeight / 2) found.push({ word: m[0], text: text.trim().slice(0, 80) });
    }
  }
  return found;
})()`;

const brokenWords = (page: Page) => page.evaluate<{ word: string; text: string }[]>(BROKEN_WORDS);

async function checkPage(page: Page, name: string, path: string, status = 200): Promise<string[]> {
  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), `${name} at ${width}px`).toBe(status);
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
    for (const b of await brokenWords(page)) problems.push(`${name} at ${width}px: "${b.word}" broken in "${b.text}"`);
  }
  return problems;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  sink = await startSmtpSink();
  base = `http://127.0.0.1:${port}`;
  app = await startTestApp(testConfig('console-layout', { PORT: String(port), PUBLIC_URL: base, SMTP_URL: sink.url }), { api: true, worker: true, queues: ['send'] });
  const users = new ConsoleUserRepository({ db: app.ctx.db });
  for (const role of ['admin', 'marketer'] as const) await users.add(operator(role), role, PASSWORD);

  // an address with every type, a few changes in its history, a suppression and a sent message
  const store = app.subscriptions.store;
  const types = app.ctx.catalog.types.map((t) => t.id);
  await store.apply(ADDRESS, { subscriptions: Object.fromEntries(types.map((t) => [t, 'subscribed' as const])) }, { source: 'api', actor: 'signup-form' });
  await store.apply(ADDRESS, { subscriptions: { [types[0]!]: 'unsubscribed' } }, { source: 'preferences_page', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' });
  const sent = await app.messages.enqueue({ kind: 'transactional', to: ADDRESS, template: 'password-reset', data: app.templates.renderer.get('password-reset')?.sampleData ?? {}, locale: 'en' });
  await eventually(async () => (await app.messages.repository.findView(sent.id))?.status === 'sent');
  // and a marketing message the send-time check stops (unsubscribed from that type): activity counts it
  const newsletter = app.templates.renderer.list().find((t) => t.kind === 'marketing' && t.subscriptionType === types[0])!;
  const held = await app.messages.enqueue({ kind: 'marketing', to: ADDRESS, template: newsletter.name, subscriptionType: types[0]!, data: app.templates.renderer.get(newsletter.name)?.sampleData ?? {}, locale: 'en' });
  await eventually(async () => (await app.messages.repository.findView(held.id))?.status === 'suppressed');
  await store.apply(`bounced-${tag}@example.com`, { suppression: { kind: 'hard_bounce', at: new Date(), source: 'bounce', detail: '550 5.1.1 <bounced@example.com>: Recipient address rejected: User unknown in virtual mailbox table' } }, { source: 'bounce' });
  await store.apply(ADDRESS, { suppression: { kind: 'complaint', at: new Date(), source: 'complaint' } }, { source: 'complaint' });
  await new SubscriptionForms({ db: app.ctx.db, catalog: app.ctx.catalog }).create({ id: formId, title: { en: 'Autumn newsletter', de: 'Herbst-Newsletter' }, types }, operator('marketer'));
  // the deliverability page with its banner: marketing paused by hand through the real guard
  await app.reputation.pause('marketing', { actor: 'test:layout', explanation: 'A pause, so the banner and the resume form are on the page' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.close();
});

describe('console layout at 1280 px and 390 px', () => {
  it('breaks no word inside itself on any page an admin sees', ALL_PAGES, async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    try {
      const problems = await checkPage(page, 'sign-in', '/console/login');
      await signIn(page, base, operator('admin'), PASSWORD);
      const template = app.templates.renderer.list().find((t) => t.kind === 'marketing') ?? app.templates.renderer.list()[0]!;
      const pages: [string, string][] = [
        ['home', '/console'],
        ['addresses', `/console/addresses?q=${encodeURIComponent(ADDRESS)}`],
        ['address', `/console/addresses/${encodeURIComponent(ADDRESS)}`],
        ['suppressions', '/console/suppressions'],
        ['activity', '/console/activity'],
        ['forms', '/console/forms'],
        ['form', `/console/forms/${formId}`],
        ['templates', '/console/templates'],
        ['template-preview', `/console/templates/${encodeURIComponent(template.name)}`],
        ['deliverability', '/console/deliverability'],
      ];
      for (const [name, path] of pages) problems.push(...(await checkPage(page, `admin-${name}`, path)));
      expect(problems).toEqual([]);
      // the activity page's counters in words, not label strings
      await page.goto(`${base}/console/activity`);
      const counters = (await page.locator('#h-outcomes').locator('..').textContent()) ?? '';
      expect(counters).toContain('Transactional · sent');
      expect(counters).toContain('Marketing · not sent · unsubscribed from this type');
      expect(counters).not.toMatch(/kind=|outcome=|reason=/);
    } finally {
      await context.close();
    }
  });

  it('breaks no word inside itself on the pages a marketer sees, in German too', ALL_PAGES, async () => {
    for (const locale of ['en-US', 'de-DE']) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      try {
        if (locale === 'en-US') await signIn(page, base, operator('marketer'), PASSWORD);
        else {
          // the German sign-in form, by its German labels
          await page.goto(`${base}/console/login`);
          await page.getByLabel('E-Mail').fill(operator('marketer'));
          await page.getByLabel('Passwort').fill(PASSWORD);
          await page.getByRole('button', { name: 'Anmelden' }).click();
          await page.waitForURL(`${base}/console`);
        }
        const problems: string[] = [];
        for (const [name, path] of [
          ['home', '/console'],
          ['forms', '/console/forms'],
          ['templates', '/console/templates'],
          ['deliverability', '/console/deliverability'],
        ] as const)
          problems.push(...(await checkPage(page, `marketer-${locale}-${name}`, path)));
        // an error page (not for this role)
        problems.push(...(await checkPage(page, `marketer-${locale}-forbidden`, '/console/activity', 403)));
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});
