import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository, type ConsoleRole } from '../../src/console/index.ts';
import type { ReputationControl, StreamReputation } from '../../src/shared/deliverability.ts';
import { startTestApp } from '../helpers/app.ts';
import { expectAccessible, freePort, launchChromium, newPage, signIn as signInAs } from '../helpers/console-browser.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { mailgunSignature } from '../helpers/relay-signers.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// A whole flow in a real browser with two axe scans: about 20 s on a busy CI core.
const BROWSER_FLOW = { timeout: 90_000 };

/**
 * The console's deliverability page in real Chromium against the real app: the real guard's figures
 * (real sends, signed relay complaints) and the pause banner at 1280 px, a marketer resuming (refused without an explanation, the stream
 * staying paused), pausing by hand, roles, the guard's refusals, and axe in both states. What the
 * page must show is read from the guard's own report, so the page test does not depend on where
 * the figures come from.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const MAILGUN_KEY = 'key-mailgun-signing-deliverability-7788';
const FIXTURES = resolve(import.meta.dirname, '../fixtures/feedback');
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'example.org'];

/**
 * THE SOURCE OF THE FIGURES: the real guard, driven there the way production gets there. 150
 * newsletters and 50 product updates go to a real SMTP sink (recipients spread over the provider
 * groups), then six signed Mailgun complaints (five about newsletters, one about a product update)
 * arrive through the real receiver: 3 % of 200 sends, past REPUTATION_MIN_VOLUME=100 and the 0.3 %
 * pause line, so the guard pauses `marketing`.
 */
async function driveToPause(): Promise<void> {
  const send = async (template: 'newsletter' | 'product-update', subscriptionType: string, recipients: string[]) => {
    const data = app.templates.renderer.get(template)!.sampleData;
    const res = await fetch(`${app.url}/v1/messages/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.ctx.config.apiKey}` },
      body: JSON.stringify({ messages: recipients.map((to) => ({ kind: 'marketing', to, template, data, subscriptionType })) }),
    });
    expect(res.status).toBe(202);
  };
  const readers = (what: string, n: number) => Array.from({ length: n }, (_, i) => `${what}-${tag}-${i}@${DOMAINS[i % DOMAINS.length]}`);
  const news = readers('news', 150);
  const updates = readers('update', 50);
  await send('newsletter', 'newsletter', news);
  await send('product-update', 'product-updates', updates);
  await eventually(() => [...news, ...updates].every((to) => sink.to(to).length === 1), 60_000);
  for (const to of [...news.slice(0, 5), updates[0]!]) {
    const body = JSON.parse(readFileSync(resolve(FIXTURES, 'mailgun-complained.json'), 'utf8')) as { signature: unknown; 'event-data': Record<string, unknown> };
    body.signature = mailgunSignature(MAILGUN_KEY);
    body['event-data'] = { ...body['event-data'], id: `cmp-${tag}-${to}`, recipient: to, message: { headers: { 'message-id': sink.to(to)[0]!.header('message-id') } } };
    const res = await fetch(`${app.url}/v1/feedback/mailgun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
  await eventually(async () => ((await streamOf('marketing')).guard.state === 'paused' ? true : undefined), 15_000);
  // the guard may pause at the first complaint flushed: wait until all six are counted, so every figure the page shows is settled
  await eventually(async () => ((await streamOf('marketing')).windows['24h'].complaints === 6 ? true : undefined), 15_000);
}

let app: TestApp;
let browser: Browser;
let base: string;
let guard: ReputationControl;
let sink: SmtpSink;
const PASSWORD = 'a long console password 42';
const tag = randomBytes(3).toString('hex');
const operator = (role: ConsoleRole) => `${role}-${tag}@ops.example.com`;
const PAGE = '/console/deliverability';

const streamOf = async (name: string): Promise<StreamReputation> => (await guard.report()).streams.find((s) => s.name === name)!;
const percent = (part: number, whole: number) => new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(part / whole);
const count = (n: number) => new Intl.NumberFormat('en').format(n);

/** The response of the navigation a click causes (to read its status). */
async function clickFor(page: Page, path: string, click: () => Promise<void>) {
  const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === 'POST'), click()]);
  return response;
}

async function open(role: ConsoleRole) {
  const opened = await newPage(browser);
  await opened.page.setViewportSize({ width: 1280, height: 900 });
  await signInAs(opened.page, base, operator(role), PASSWORD);
  return opened;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  sink = await startSmtpSink();
  app = await startTestApp(
    testConfig('console-deliv', { PORT: String(port), PUBLIC_URL: base, SMTP_URL: sink.url, FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY, REPUTATION_MIN_VOLUME: '100' }),
    { api: true, worker: true },
  );
  guard = app.reputation;
  const users = new ConsoleUserRepository({ db: app.ctx.db });
  for (const role of ['support', 'marketer', 'admin'] as const) await users.add(operator(role), role, PASSWORD);
  browser = await launchChromium();
  await driveToPause();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.close();
});

describe('the deliverability page', () => {
  it('shows a marketer the pause banner and the figures, refuses a resume without an explanation, and resumes with one', BROWSER_FLOW, async () => {
    const paused = await streamOf('marketing');
    expect(paused.guard.state).toBe('paused');
    const decided = paused.history.find((e) => e.action === 'paused')!.counts!;
    const { context, page, problems } = await open('marketer');
    try {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Deliverability' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Deliverability');

      // the banner: the figures and window that decided it, who paused it, and where the complaints came from
      const alert = page.getByRole('alert');
      const banner = (await alert.textContent()) ?? '';
      expect(banner).toContain('Marketing on stream marketing is paused since');
      expect(banner).toContain('by the reputation guard');
      // the guard pauses at the first flush past the line: one complaint or several, said in words
      expect(banner).toContain(`Last 24 hours: ${count(decided.complaints)} ${decided.complaints === 1 ? 'complaint' : 'complaints'} in ${count(decided.sends)} sends (${percent(decided.complaints, decided.sends)})`);
      expect(banner).toContain(`${count(decided.hardBounces)} ${decided.hardBounces === 1 ? 'hard bounce' : 'hard bounces'} (${percent(decided.hardBounces, decided.sends)})`);
      for (const tpl of paused.topTemplates) expect(banner).toContain(`${tpl.template}${tpl.subscriptionType ? ` (subscription type ${tpl.subscriptionType})` : ''}: ${count(tpl.complaints)} ${tpl.complaints === 1 ? 'complaint' : 'complaints'} in ${count(tpl.sends)} sends`);

      // the figures per provider group and window, in a captioned table
      const table = page.getByRole('table', { name: 'Sends, bounces and complaints on stream marketing, by mailbox provider' });
      const gmail24h = paused.byProvider.gmail['24h'];
      const gmailRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Gmail', exact: true }) });
      expect(await gmailRow.locator('td').allTextContents()).toEqual([gmail24h.sends, gmail24h.hardBounces].map(count).concat(percent(gmail24h.hardBounces, gmail24h.sends), count(gmail24h.softBounces), count(gmail24h.complaints), percent(gmail24h.complaints, gmail24h.sends)));
      for (const group of ['All providers', 'Microsoft (Outlook, Hotmail)', 'Yahoo and AOL', 'Apple (iCloud)', 'Other providers']) await expect.poll(() => table.getByRole('rowheader', { name: group, exact: true }).count()).toBe(1);
      const month = paused.windows['30d'];
      expect(await table.textContent()).toContain(percent(month.complaints, month.sends));

      // the charts: images with a name, the thresholds drawn and labelled, the same figures as a table
      const charts = page.getByRole('img', { name: 'Daily complaint rate on stream marketing' });
      expect(await charts.count()).toBe(1);
      expect(await charts.locator('polyline').count()).toBeGreaterThan(0);
      expect(await charts.textContent()).toContain('warn 0.10%');
      expect(await charts.textContent()).toContain('pause 0.30%');
      expect(await page.getByRole('img', { name: 'Daily hard-bounce rate on stream marketing' }).textContent()).toContain('pause 5.00%');
      await page.locator('details', { hasText: 'The daily figures as a table' }).last().locator('summary').click();
      const daily = page.getByRole('table', { name: 'The daily figures as a table' }).last();
      const today = paused.daily.at(-1)!;
      expect(await daily.getByRole('row').filter({ has: page.getByRole('rowheader', { name: today.day }) }).locator('td').first().textContent()).toBe(count(today.counts.sends));

      // the history and the templates
      expect(await page.getByRole('table', { name: 'Templates by complaint rate, last 7 days' }).last().getByRole('rowheader').allTextContents()).toEqual(['newsletter', 'product-update']);
      await expectAccessible(page, 'deliverability (paused)');

      // without an explanation (the browser accepts blanks; the guard does not): 422, the message, still paused
      const field = page.getByLabel('Explanation (required)').last();
      await field.fill('   ');
      const refused = await clickFor(page, '/console/deliverability/marketing/resume', () => page.getByRole('button', { name: 'Resume marketing on marketing' }).click());
      expect(refused.status()).toBe(422);
      await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' ')).toContain('An explanation is required: it is kept in the audit record');
      expect((await streamOf('marketing')).guard.state).toBe('paused');

      // with one: resumed, audited with the operator as actor
      await page.getByLabel('Explanation (required)').last().fill('Removed the stale segment from weekly-digest');
      const resumed = await clickFor(page, '/console/deliverability/marketing/resume', () => page.getByRole('button', { name: 'Resume marketing on marketing' }).click());
      expect(resumed.status()).toBe(303);
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Marketing on stream marketing resumed');
      const after = await streamOf('marketing');
      expect(after.guard.state).toBe('ok');
      expect(after.history[0]).toMatchObject({ action: 'resumed', actor: `console:${operator('marketer')}`, explanation: 'Removed the stale segment from weekly-digest' });
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(await page.locator('ol.timeline').last().textContent()).toContain(`console:${operator('marketer')}`);
      await expectAccessible(page, 'deliverability (resumed)');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets an admin pause a stream by hand; the banner names the admin', BROWSER_FLOW, async () => {
    const { context, page, problems } = await open('admin');
    try {
      await page.goto(`${base}${PAGE}`);
      await page.getByLabel('Explanation (required)').first().fill('Relay maintenance tonight');
      const res = await clickFor(page, '/console/deliverability/transactional/pause', () => page.getByRole('button', { name: 'Pause marketing on transactional' }).click());
      expect(res.status()).toBe(303);
      expect((await streamOf('transactional')).guard).toMatchObject({ state: 'paused', pausedBy: 'operator' });
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Marketing on stream transactional paused');
      const banner = (await page.getByRole('alert').first().textContent()) ?? '';
      expect(banner).toContain('Marketing on stream transactional is paused since');
      expect(banner).toContain(`by console:${operator('admin')}`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('answers 403 to support, and the guard’s refusals (unknown stream, already paused) as error pages', BROWSER_FLOW, async () => {
    if ((await streamOf('transactional')).guard.state !== 'paused') await guard.pause('transactional', { actor: 'test', explanation: 'set-up' });
    const support = await open('support');
    try {
      expect(await support.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Deliverability' }).count()).toBe(0);
      expect((await support.page.request.get(`${base}${PAGE}`, { maxRedirects: 0 })).status()).toBe(403);
      const csrf = await support.page.locator('form[action="/console/logout"] input[name=csrf]').getAttribute('value');
      const post = await support.page.request.post(`${base}${PAGE}/transactional/resume`, { form: { csrf: csrf!, explanation: 'not mine to do' }, maxRedirects: 0 });
      expect(post.status()).toBe(403);
      expect((await streamOf('transactional')).guard.state).toBe('paused');
    } finally {
      await support.context.close();
    }
    const { context, page } = await open('marketer');
    try {
      const csrf = (await page.locator('form[action="/console/logout"] input[name=csrf]').getAttribute('value'))!;
      const unknown = await page.request.post(`${base}${PAGE}/nope/resume`, { form: { csrf, explanation: 'x' }, maxRedirects: 0 });
      expect(unknown.status()).toBe(404);
      expect(await unknown.text()).toContain('Nothing was changed.');
      const twice = await page.request.post(`${base}${PAGE}/transactional/pause`, { form: { csrf, explanation: 'again' }, maxRedirects: 0 });
      expect(twice.status()).toBe(409);
      expect(await twice.text()).toContain('is paused already');
      // longer than the form allows (a post that skips the browser): refused, nothing done
      const long = await page.request.post(`${base}${PAGE}/transactional/resume`, { form: { csrf, explanation: 'x'.repeat(2001) }, maxRedirects: 0 });
      expect(long.status()).toBe(422);
      expect(await long.text()).toContain('The explanation is too long: 2,000 characters at most.');
      const noToken = await page.request.post(`${base}${PAGE}/transactional/resume`, { form: { explanation: 'no token' }, maxRedirects: 0 });
      expect(noToken.status()).toBe(403);
      expect((await streamOf('transactional')).guard.state).toBe('paused');
    } finally {
      await context.close();
    }
  });
});
