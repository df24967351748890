import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildConsole } from '../../src/composition/console.ts';
import { buildHttp } from '../../src/composition/http.ts';
import { Lifecycle } from '../../src/composition/lifecycle.ts';
import { ConsoleUserRepository, type ConsoleRole } from '../../src/console/index.ts';
import { AppError } from '../../src/shared/errors.ts';
import { TemplateRegistry } from '../../src/templates/index.ts';
import { startTestApp } from './app.ts';
import { freePort, signIn } from './console-browser.ts';
import { testConfig } from './env.ts';
import { storedTemplatesStandIn } from './stored-templates-stand-in.ts';

/**
 * The console with stored templates for the editor's tests: the real app's connections, and the
 * console built by composition/console.ts exactly as src/app.ts does, with `templates.authoring`
 * set. Until the stored-templates service is merged that is `storedTemplatesStandIn`; after the
 * merge the lead wires the real service in src/app.ts and this starts the app with its console
 * (`startTestApp(…, { api: true, … })`) instead.
 */
export async function startEditorConsole(label: string, operators: { email: (role: ConsoleRole) => string; password: string }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await startTestApp(testConfig(label, { PORT: String(port), PUBLIC_URL: base }), { api: false, worker: false });
  const renderer = app.templates.renderer;
  if (!(renderer instanceof TemplateRegistry)) throw new Error('the app renders with a TemplateRegistry');
  const users = new ConsoleUserRepository({ db: app.ctx.db });
  for (const role of ['support', 'marketer', 'admin'] as const) await users.add(operators.email(role), role, operators.password);
  const life = new Lifecycle();
  const operatorConsole = buildConsole(life, {
    ...app.ctx,
    store: app.subscriptions.store,
    messages: app.messages.repository,
    sendQueues: app.messages.queues,
    streams: async () => [],
    templates: {
      renderer,
      problems: [],
      sendTest: () => Promise.reject(new AppError('not_wired', 'no test sends here', { status: 503 })),
      authoring: storedTemplatesStandIn({ files: renderer }),
    },
  });
  await life.start();
  const http = buildHttp({ ...app.ctx, apiRouters: [], publicRouters: [operatorConsole] });
  await http.listen();
  return {
    base,
    async close() {
      await http.close();
      await life.close(app.ctx.logger);
      await app.stop();
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
