import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConsoleUserRepository, type ConsoleRole } from '../../src/console/index.ts';
import { startTestApp } from './app.ts';
import { freePort, signIn } from './console-browser.ts';
import { testConfig } from './env.ts';
import { startSmtpSink } from './smtp-sink.ts';

/**
 * The real app (API and workers: the console, the authoring service, stored templates in the
 * test's database, mail to a real SMTP sink) with a support, a marketer and an admin account.
 */
export async function startEditorConsole(label: string, operators: { email: (role: ConsoleRole) => string; password: string }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sink = await startSmtpSink();
  const app = await startTestApp(testConfig(label, { PORT: String(port), PUBLIC_URL: base, SMTP_URL: sink.url }), { api: true, worker: true });
  const users = new ConsoleUserRepository({ db: app.ctx.db });
  for (const role of ['support', 'marketer', 'admin'] as const) await users.add(operators.email(role), role, operators.password);
  return {
    base,
    app,
    sink,
    async close() {
      await app.stop();
      await sink.close();
    },
  };
}

export const GOOD_MJML = '<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-text>{{t.greeting}}, {{firstName}}!</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>';
/** Line 5 names a tag MJML does not know. */
export const BAD_MJML = GOOD_MJML.replace('<mj-text>{{t.greeting}}, {{firstName}}!</mj-text>', '<mj-txt>{{t.greeting}}</mj-txt>');

/** Fills the new-template form (English labels) with a complete source around `mjml`. */
export async function fillNewTemplate(page: Page, base: string, name: string, mjml: string, kind = 'marketing'): Promise<void> {
  await page.goto(`${base}/console/templates/new`);
  await page.getByLabel('Template name').fill(name);
  await page.getByLabel('Kind').selectOption(kind);
  if (kind === 'marketing') await page.getByLabel('Subscription type (marketing only)').selectOption({ index: 1 });
  await page.getByLabel('Subject (English)').fill('Spring is here');
  await page.getByLabel('Subject (German)').fill('Der Frühling ist da');
  await page.getByLabel('MJML source').fill(mjml);
  await page.getByLabel('Strings (English, JSON)').fill('{"greeting": "Hello"}');
  await page.getByLabel('Strings (German, JSON)').fill('{"greeting": "Hallo"}');
  await page.getByLabel('Sample data (JSON)').fill('{"firstName": "Ada"}');
}

/** A browser context with JavaScript off (the editor's baseline), signed in. */
export async function signedInWithoutScript(browser: Browser, base: string, email: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  await signIn(page, base, email, password);
  return { context, page };
}

/** The response of the form post a click causes (to read its status). */
export async function clickFor(page: Page, path: string, click: () => Promise<void>) {
  const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === 'POST'), click()]);
  return response;
}
