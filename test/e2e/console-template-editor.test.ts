import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleRole } from '../../src/console/index.ts';
import { expectAccessible, launchChromium, newPage as newBrowserPage, signIn as signInAs } from '../helpers/console-browser.ts';
import { BAD_MJML, GOOD_MJML, clickFor, fillNewTemplate, signedInWithoutScript, startEditorConsole } from '../helpers/editor-console.ts';
import { eventually } from '../helpers/processes.ts';

const BROWSER_FLOW = { timeout: 90_000 };

/**
 * The console's template editor in real Chromium: the real console wiring (FerretDB accounts, Redis
 * sessions, CSRF) with the real stored-templates service
 * (test/helpers/editor-console.ts). The editor works by form posts alone: most flows run with
 * JavaScript disabled; one runs the CodeMirror editor with its live preview.
 */
let editorConsole: Awaited<ReturnType<typeof startEditorConsole>>;
let browser: Browser;
let base: string;
const PASSWORD = 'a long console password 42';
const tag = randomBytes(3).toString('hex');
const operator = (role: ConsoleRole) => `${role}-${tag}@ops.example.com`;
const PREVIEW_NOISE = (text: string) => text.startsWith("Blocked script execution in 'about:srcdoc'") || text.startsWith("Loading the stylesheet 'https://fonts.googleapis.com/");
const fillNew = (page: Page, name: string, mjml: string, kind?: string) => fillNewTemplate(page, base, name, mjml, kind);

const noScriptPage = (role: ConsoleRole) => signedInWithoutScript(browser, base, operator(role), PASSWORD);

beforeAll(async () => {
  editorConsole = await startEditorConsole('console-editor', { email: operator, password: PASSWORD });
  base = editorConsole.base;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await editorConsole?.close();
});

describe('the template editor without JavaScript', () => {
  it('creates a template, previews it, shows a checker error at its line, and publishes it once fixed', BROWSER_FLOW, async () => {
    const name = `spring-${tag}`;
    const { context, page } = await noScriptPage('marketer');
    try {
      await page.goto(`${base}/console/templates`);
      await expect.poll(() => page.getByRole('row', { name: /newsletter/ }).textContent()).toContain('File (read-only)');
      await fillNew(page, name, BAD_MJML);
      const previewed = await clickFor(page, '/console/templates/new', () => page.getByRole('button', { name: 'Preview' }).click());
      expect(previewed.status()).toBe(200);
      expect(await page.locator('#findings').textContent()).toContain('mjml, line 5');
      // the form keeps what was typed
      expect(await page.getByLabel('MJML source').inputValue()).toBe(BAD_MJML);

      // a draft may hold errors; publishing it may not
      await clickFor(page, '/console/templates/new', () => page.getByRole('button', { name: 'Create template' }).click());
      await page.waitForURL(`${base}/console/templates/edit/${name}?saved=1`);
      expect(await page.getByRole('status').textContent()).toContain('Draft saved (revision 1)');
      await page.getByLabel('Publish note').fill('first go');
      const refused = await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Publish' }).click());
      expect(refused.status()).toBe(422);
      expect(await page.locator('#findings').textContent()).toContain('mjml, line 5');
      expect(await page.getByLabel('MJML source').getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('MJML source').fill(GOOD_MJML);
      await page.getByLabel('Preview language').selectOption('de');
      await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Preview' }).click());
      expect(await page.locator('#findings').textContent()).toContain('The checker found nothing');
      expect(await page.locator('iframe.preview').getAttribute('srcdoc')).toContain('Hallo, Ada!');
      expect(await page.locator('#preview').textContent()).toContain('Der Frühling ist da');

      await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Publish' }).click());
      await page.waitForURL(`${base}/console/templates/edit/${name}?published=1`);
      expect(await page.getByRole('status').textContent()).toContain('Published as version 1');
      expect(await page.getByRole('row', { name: /first go/ }).textContent()).toContain(operator('marketer'));

      await page.goto(`${base}/console/templates`);
      const row = await page.getByRole('row', { name: new RegExp(name) }).textContent();
      expect(row).toContain('Published version 1');
      expect(row).toContain(operator('marketer'));

      // "Send me a test": the published version, through the real worker, to the marketer
      const { app, sink } = editorConsole;
      await page.goto(`${base}/console/templates/edit/${name}`);
      await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Send me a test' }).click());
      expect(await page.getByRole('status').textContent()).toContain(`A test of version 1 is on its way to ${operator('marketer')}`);
      await eventually(() => sink.to(operator('marketer')).length === 1 || undefined, 20_000);
      expect(sink.to(operator('marketer'))[0]!.parsed?.subject).toBe('[Test] Spring is here');

      // and the app sends with it through the API: pinned to version 1, with the footer and one-click
      const reader = `reader-${tag}@example.com`;
      const res = await fetch(`${app.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${app.ctx.config.apiKey}` },
        body: JSON.stringify({ kind: 'marketing', to: reader, template: name, subscriptionType: app.templates.renderer.get(name)!.subscriptionType, data: { firstName: 'Grace' } }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await eventually(() => sink.to(reader).length === 1 || undefined, 20_000);
      const mail = sink.to(reader)[0]!;
      expect(mail.parsed?.html).toContain('Hello, Grace!');
      expect(mail.header('List-Unsubscribe')).toContain(base);
      expect(mail.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.parsed?.html).toContain(`${base}/`); // the footer's preferences link
      expect((await app.messages.getStatus(id))?.templateVersion).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('refuses a save on an older revision, naming who saved, and keeps the text', BROWSER_FLOW, async () => {
    const name = `conflict-${tag}`;
    const first = await noScriptPage('marketer');
    const second = await noScriptPage('admin');
    try {
      await fillNew(first.page, name, GOOD_MJML);
      await clickFor(first.page, '/console/templates/new', () => first.page.getByRole('button', { name: 'Create template' }).click());
      await first.page.waitForURL(/saved=1$/);
      await second.page.goto(`${base}/console/templates/edit/${name}`);

      await first.page.getByLabel('Subject (English)').fill('Marketer was here');
      await clickFor(first.page, `/console/templates/edit/${name}`, () => first.page.getByRole('button', { name: 'Save draft' }).click());
      await first.page.waitForURL(/saved=2$/);

      await second.page.getByLabel('Subject (English)').fill('Admin was here');
      const conflict = await clickFor(second.page, `/console/templates/edit/${name}`, () => second.page.getByRole('button', { name: 'Save draft' }).click());
      expect(conflict.status()).toBe(409);
      expect(await second.page.getByRole('alert').textContent()).toContain(`Someone else saved this template meanwhile: ${operator('marketer')}`);
      expect(await second.page.getByLabel('Subject (English)').inputValue()).toBe('Admin was here');
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });

  it('lists versions with their authors, shows a diff of two, and restores an old one', BROWSER_FLOW, async () => {
    const name = `versions-${tag}`;
    const { context, page } = await noScriptPage('marketer');
    try {
      await fillNew(page, name, GOOD_MJML);
      await clickFor(page, '/console/templates/new', () => page.getByRole('button', { name: 'Create template' }).click());
      await page.waitForURL(/saved=1$/);
      await page.getByLabel('Publish note').fill('version one');
      await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Publish' }).click());
      await page.waitForURL(/published=1$/);
      await page.getByLabel('Subject (English)').fill('Summer is here');
      await page.getByLabel('Publish note').fill('version two');
      await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Publish' }).click());
      await page.waitForURL(/published=2$/);

      await page.getByLabel('From', { exact: true }).selectOption('1');
      await page.getByLabel('To', { exact: true }).selectOption('2');
      await page.getByRole('button', { name: 'Show differences' }).click();
      await page.waitForURL(/\/diff\?from=1&to=2$/);
      const diff = await page.locator('pre').textContent();
      expect(diff).toContain('-    "en": "Spring is here"');
      expect(diff).toContain('+    "en": "Summer is here"');

      await page.goto(`${base}/console/templates/edit/${name}?saved=x&restored=1`); // a query it does not know is ignored
      expect(await page.getByRole('status').count()).toBe(0);
      await clickFor(page, `/console/templates/edit/${name}/restore`, () => page.getByRole('button', { name: 'Restore Version 1' }).click());
      await page.waitForURL(/restored=1-3$/);
      expect(await page.getByRole('status').textContent()).toContain('Version 1 restored as version 3');
      expect(await page.getByLabel('Subject (English)').inputValue()).toBe('Spring is here');
      expect(await page.getByRole('row', { name: /restores version 1/ }).textContent()).toContain(operator('marketer'));
    } finally {
      await context.close();
    }
  });

  it('refuses a marketer publishing a transactional template (403), which an admin may publish', BROWSER_FLOW, async () => {
    const name = `receipt-${tag}`;
    const { context, page } = await noScriptPage('marketer');
    const admin = await noScriptPage('admin');
    try {
      await fillNew(page, name, GOOD_MJML, 'transactional');
      await clickFor(page, '/console/templates/new', () => page.getByRole('button', { name: 'Create template' }).click());
      await page.waitForURL(/saved=1$/);
      const refused = await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Publish' }).click());
      expect(refused.status()).toBe(403);
      expect(await page.getByRole('alert').textContent()).toContain('only an admin may publish it');

      await admin.page.goto(`${base}/console/templates/edit/${name}`);
      await clickFor(admin.page, `/console/templates/edit/${name}`, () => admin.page.getByRole('button', { name: 'Publish' }).click());
      await admin.page.waitForURL(/published=1$/);
    } finally {
      await context.close();
      await admin.context.close();
    }
  });

  it('saves a large source (other console forms stay limited to 32 KB), and refuses a form without its CSRF token', BROWSER_FLOW, async () => {
    const name = `large-${tag}`;
    const { context, page } = await noScriptPage('marketer');
    try {
      // 38 KB of MJML, about 100 KB URL-encoded: three times the other forms' limit
      const large = GOOD_MJML.replace('<mj-text>', `<mj-text>${'<p>A "long" &amp; winding text.</p>\n'.repeat(1000)}`);
      await fillNew(page, name, large);
      const saved = await clickFor(page, '/console/templates/new', () => page.getByRole('button', { name: 'Create template' }).click());
      expect(saved.status()).toBe(303);
      await page.waitForURL(/saved=1$/);
      expect((await page.getByLabel('MJML source').inputValue()).length).toBe(large.length);

      const forged = await page.request.post(`${base}/console/templates/new`, { form: { name: `forged-${tag}`, kind: 'marketing', mjml: GOOD_MJML, action: 'save' }, maxRedirects: 0 });
      expect(forged.status()).toBe(403);
      const tooLarge = await page.request.post(`${base}/console/addresses`, { form: { q: 'x'.repeat(40_000) }, maxRedirects: 0 });
      expect(tooLarge.status()).toBe(413);
      await page.goto(`${base}/console/templates`);
      expect(await page.getByRole('row', { name: new RegExp(`forged-${tag}`) }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('copies a file template to edit it', BROWSER_FLOW, async () => {
    const { context, page } = await noScriptPage('marketer');
    try {
      await page.goto(`${base}/console/templates`);
      await page.getByLabel('Name of the copy (newsletter)').fill('Not A Name');
      expect((await clickFor(page, '/console/templates/copy/newsletter', () => page.getByRole('button', { name: 'Copy to edit newsletter' }).click())).status()).toBe(422);
      expect(await page.getByRole('alert').textContent()).toContain('A template name is 1–63 lower-case letters');
      await page.getByLabel('Name of the copy (newsletter)').fill(`letter-${tag}`);
      await page.getByRole('button', { name: 'Copy to edit newsletter' }).click();
      await page.waitForURL(`${base}/console/templates/edit/letter-${tag}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Edit template letter-${tag}`);
    } finally {
      await context.close();
    }
  });
});

describe('the template editor with JavaScript', () => {
  it('highlights the source, marks a checker error at its line as the marketer types, previews live, and publishes', BROWSER_FLOW, async () => {
    const name = `live-${tag}`;
    const { context, page, problems } = await newBrowserPage(browser, PREVIEW_NOISE);
    try {
      await signInAs(page, base, operator('marketer'), PASSWORD);
      const response = await page.goto(`${base}/console/templates/new`);
      const csp = response?.headers()['content-security-policy'] ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      // its own bundle by nonce, nothing else: no inline script, no eval, no other origin
      expect(csp).toMatch(/script-src 'nonce-[^' ]+'(;|$)/);
      expect(await page.locator('script').getAttribute('src')).toBe('/console/templates/assets/template-editor.js');
      // CodeMirror replaced the textarea: line numbers, and the textarea hidden (still in the form)
      await page.locator('.cm-editor .cm-lineNumbers').waitFor();
      expect(await page.locator('textarea#mjml').isHidden()).toBe(true);

      await page.getByLabel('Template name').fill(name);
      await page.getByLabel('Subscription type (marketing only)').selectOption({ index: 1 });
      await page.getByLabel('Subject (English)').fill('Live subject');
      await page.getByLabel('Subject (German)').fill('Betreff live');
      await page.getByLabel('Sample data (JSON)').fill('{"firstName": "Grace"}');
      await page.locator('.cm-content').fill(BAD_MJML);
      await page.locator('.cm-lint-marker-error').waitFor();
      await expect.poll(() => page.locator('#findings').textContent()).toContain('mjml, line 5');
      expect(await page.locator('.cm-handlebars').first().textContent()).toBe('{{t.greeting}}');

      // the preview follows the typing: the frame's srcdoc is the fixed source rendered
      await page.locator('.cm-content').fill(GOOD_MJML);
      await expect.poll(() => page.locator('#findings').textContent()).toContain('The checker found nothing');
      await expect.poll(() => page.locator('iframe.preview').getAttribute('srcdoc')).toContain('Hello, Grace!');
      await expect.poll(() => page.locator('#preview dd').textContent()).toBe('Live subject');

      await clickFor(page, '/console/templates/new', () => page.getByRole('button', { name: 'Create template' }).click());
      await page.waitForURL(`${base}/console/templates/edit/${name}?saved=1`);
      await page.locator('.cm-editor').waitFor();
      expect(await page.locator('textarea#mjml').inputValue()).toBe(GOOD_MJML);
      await expectAccessible(page, 'template editor with CodeMirror');
      await clickFor(page, `/console/templates/edit/${name}`, () => page.getByRole('button', { name: 'Publish' }).click());
      await page.waitForURL(/published=1$/);
      // nothing refused by the CSP (CodeMirror's styles carry the nonce), no script error
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the editor is accessible and the console stays without script', () => {
  it('passes axe on the list and the editor; every other page allows no script', BROWSER_FLOW, async () => {
    const { context, page, problems } = await newBrowserPage(browser, PREVIEW_NOISE);
    try {
      await signInAs(page, base, operator('marketer'), PASSWORD);
      const list = await page.goto(`${base}/console/templates`);
      await expectAccessible(page, 'templates list');
      await page.goto(`${base}/console/templates/new`);
      await expectAccessible(page, 'template editor');
      for (const response of [list, await page.goto(`${base}/console/templates/newsletter`), await page.goto(`${base}/console`)]) {
        const csp = response?.headers()['content-security-policy'] ?? '';
        expect(csp).toContain("default-src 'none'");
        expect(csp).not.toContain('script-src');
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('speaks German to a German browser', async () => {
    const context = await browser.newContext({ locale: 'de-DE', javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/console/login`);
      await page.locator('#email').fill(operator('marketer'));
      await page.locator('#password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${base}/console`), page.locator('button[type=submit]').click()]);
      await page.goto(`${base}/console/templates`);
      await page.getByRole('link', { name: 'Neue Vorlage' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Neue Vorlage');
      expect(await page.getByLabel('MJML-Quelltext').count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Vorlage anlegen' }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('keeps support out of the editor', async () => {
    const { context, page } = await noScriptPage('support');
    try {
      const response = await page.goto(`${base}/console/templates/new`);
      expect(response?.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});
