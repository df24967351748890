import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { StoredTemplateCompiler, StoredTemplateRepository, TemplateVersionsCache, loadTemplatesOrThrow } from '../../src/templates/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { validSource, withLine } from '../helpers/stored-templates.ts';

describe('the authoring use cases the console calls, and what holds when a process stops half-way (real FerretDB, Redis)', () => {
  let app: App & { stop(): Promise<void> };
  const actor = { actor: 'mia@example.com' };
  beforeAll(async () => {
    app = await startTestApp(testConfig('stored_authoring'), { api: true, worker: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('check and preview a source without storing it: findings at their lines, the footer in the preview', async () => {
    const authoring = app.templates.authoring;
    expect(await authoring.check(validSource())).toEqual([]);
    // What looks like a rule but is not: text-transform, an mj-class, an element closed in its mj-raw.
    const fine = validSource('ok', { mjml: withLine(2, '  <mj-head><mj-attributes><mj-class name="k" text-transform="uppercase" /></mj-attributes><mj-style>.k { text-transform: uppercase; }</mj-style></mj-head><mj-body><mj-raw><div><br></div></mj-raw>') });
    expect(await authoring.check(fine)).toEqual([]);
    const findings = await authoring.check(validSource('x', { mjml: withLine(5, '        <mj-text onmouseover="x()">{{shout firstName}}</mj-text>') }));
    expect(findings.every((f) => f.line === 5 && f.field === 'mjml' && f.severity === 'error')).toBe(true);
    expect(findings.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/event handler/), expect.stringMatching(/unknown Handlebars helper "shout"/)]));
    const preview = await authoring.preview(validSource('live'), 'de', { firstName: 'Lu', marker: 'pasted' });
    expect(preview.findings).toEqual([]);
    expect(preview.subject).toBe('Hallo Lu (pasted)');
    expect(preview.html).toContain('Hallo Lu, live');
    expect(preview.html).toContain('Abmelden');
    expect(preview.text).toContain('E-Mail-Einstellungen verwalten: https://mail.example.test/preferences/');
    const broken = await authoring.preview(validSource('live'), 'en', { marker: 'no name' });
    expect(broken.html).toBe('');
    expect(broken.findings.some((f) => f.field === 'sampleData' && /firstName/.test(f.message))).toBe(true);
    expect((await authoring.list()).some((t) => t.name === 'draft')).toBe(false); // nothing stored
  });

  it('copies a file template to edit, lists it as a changed draft, and diffs the draft against a version', async () => {
    const authoring = app.templates.authoring;
    const copy = await authoring.copyFromFile('welcome', 'welcome-copy', actor);
    expect(copy).toMatchObject({ name: 'welcome-copy', revision: 1, editedBy: 'mia@example.com' });
    expect((await authoring.get('welcome')).fileSource?.mjml).toBe(copy.source.mjml);
    await expect(authoring.copyFromFile('welcome', 'welcome-copy', actor)).rejects.toMatchObject({ code: 'template_name_taken' });
    await expect(authoring.copyFromFile('nope', 'x', actor)).rejects.toMatchObject({ code: 'template_not_found' });
    await expect(authoring.publish('welcome-copy', { ...actor, role: 'marketer', note: '' })).rejects.toMatchObject({ code: 'template_kind_forbidden' });
    await authoring.publish('welcome-copy', { ...actor, role: 'admin', note: 'as is' });
    await authoring.saveDraft('welcome-copy', { ...copy.source, subject: { ...copy.source.subject, en: 'Welcome aboard' } }, { ...actor, basedOn: 1 });
    const item = (await authoring.list()).find((t) => t.name === 'welcome-copy');
    expect(item).toMatchObject({ origin: 'stored', kind: 'transactional', publishedVersion: 1, draftChanged: true, lastEditor: 'mia@example.com' });
    const diff = await authoring.diff('welcome-copy', 1, 0);
    expect(diff).toContain('+++ welcome-copy@draft');
    expect(diff).toMatch(/^\+ {4}"en": "Welcome aboard",$/m);
    await expect(authoring.diff('welcome-copy', 7, 0)).rejects.toMatchObject({ code: 'version_not_found' });
  });

  it('a save or a publish whose writer stopped after its claim is rolled forward: nothing is lost, nothing overwritten', async () => {
    const authoring = app.templates.authoring;
    await authoring.saveDraft('halfway', validSource('one'), { ...actor, basedOn: null });
    await authoring.publish('halfway', { ...actor, role: 'admin', note: '' });
    const db = app.ctx.db.db!;
    // What a writer leaves when it stops between claiming a revision / version and moving the row.
    const source = JSON.stringify(validSource('claimed'));
    await db.collection('stored_template_drafts').insertOne({ _id: 'halfway#2' as never, name: 'halfway', revision: 2, sourceJson: source, editedBy: 'gone@example.com', editedAt: new Date() });
    await db.collection('stored_template_versions').insertOne({ _id: 'halfway#2' as never, name: 'halfway', version: 2, sourceJson: source, author: 'gone@example.com', at: new Date(), note: '' });

    const draft = await authoring.get('halfway');
    expect(draft.draft).toMatchObject({ revision: 2, editedBy: 'gone@example.com' });
    expect(draft.published?.version).toBe(2);
    await expect(authoring.saveDraft('halfway', validSource('stale'), { ...actor, basedOn: 1 })).rejects.toMatchObject({ code: 'draft_conflict', details: { editedBy: 'gone@example.com', revision: 2 } });
    expect((await authoring.publish('halfway', { ...actor, role: 'admin', note: '' })).version).toBe(3);

    // A creator that stopped after claiming revision 1, before writing the template's row.
    await db.collection('stored_template_drafts').insertOne({ _id: 'orphan#1' as never, name: 'orphan', revision: 1, sourceJson: source, editedBy: 'gone@example.com', editedAt: new Date() });
    expect((await authoring.saveDraft('orphan', validSource('next'), { ...actor, basedOn: 1 })).revision).toBe(2);
    expect((await authoring.get('orphan')).draft).toMatchObject({ revision: 2, editedBy: 'mia@example.com' });
  });

  it('a lost announcement: the process still learns the new version from its re-read (every 5 s)', { timeout: 20_000 }, async () => {
    // Another process on the same database announces on another prefix's channel: this app never hears it.
    const deaf = await startTestApp(testConfig('stored_deaf', { MONGO_URL: app.ctx.config.mongoUrl }), { api: false, worker: false });
    try {
      await deaf.templates.authoring.saveDraft('quiet', validSource('one'), { ...actor, basedOn: null });
      await deaf.templates.authoring.publish('quiet', { ...actor, role: 'admin', note: '' });
      expect(deaf.templates.renderer.get('quiet')?.version).toBe(1); // the publisher's own view, at once
      expect(app.templates.renderer.get('quiet')).toBeUndefined(); // no announcement reached it
      await eventually(() => app.templates.renderer.get('quiet')?.version === 1, 8000, 50);
    } finally {
      await deaf.close();
    }
  });

  it('keeps at most maxCompiled versions compiled, the least recently used leaving first; each compiles from one read', async () => {
    const config = app.ctx.config;
    const files = await loadTemplatesOrThrow({ dir: config.templatesDir, catalog: app.ctx.catalog, tokens: app.ctx.tokens, publicUrl: config.publicUrl, postalAddress: config.postalAddress });
    const repository = new StoredTemplateRepository({ db: app.ctx.db });
    const cache = new TemplateVersionsCache({ repository, compiler: new StoredTemplateCompiler({ templatesDir: config.templatesDir, catalog: app.ctx.catalog, registry: files }), maxCompiled: 2, logger: createLogger('silent') });
    await app.templates.authoring.saveDraft('lru', validSource('v'), { ...actor, basedOn: null });
    for (let i = 0; i < 3; i++) await app.templates.authoring.publish('lru', { ...actor, role: 'admin', note: '' });
    const [one, again] = await Promise.all([cache.load('lru', 1), cache.load('lru', 1)]);
    expect(again).toBe(one); // two first uses at once: compiled once
    await cache.load('lru', 2);
    expect(cache.get('lru', 1)).toBe(one); // touched: now the most recent
    await cache.load('lru', 3);
    expect(cache.get('lru', 2)).toBeUndefined();
    expect(cache.get('lru', 1)).toBe(one);
    expect(cache.get('lru', 3)?.info.version).toBe(3);
    await expect(cache.load('lru', 9)).rejects.toMatchObject({ code: 'version_not_found' });
  });
});
