import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { TemplateFinding } from '../../src/shared/template-authoring.ts';
import { testConfig } from '../helpers/env.ts';
import { startTestApp } from '../helpers/app.ts';
import { api, validSource, withLine } from '../helpers/stored-templates.ts';

describe('stored templates: drafts, the checker, versions, the API (real app, FerretDB)', () => {
  let app: App & { stop(): Promise<void> };
  const call = (method: string, path: string, body?: unknown) => api(app.url!, method, path, body);
  beforeAll(async () => {
    app = await startTestApp(testConfig('stored_api'), { api: true, worker: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('creates a draft, saves on the latest revision, and refuses a save on an older one with who saved first', async () => {
    const created = await call('PUT', '/v1/templates/spring-sale/draft', { ...validSource(), basedOn: null });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'spring-sale', revision: 1, editedBy: 'api-key:default' });
    const second = await call('PUT', '/v1/templates/spring-sale/draft', { ...validSource('edited'), basedOn: 1 });
    expect(second.status).toBe(200);
    expect(second.body.revision).toBe(2);

    const stale = await call('PUT', '/v1/templates/spring-sale/draft', { ...validSource('lost edit'), basedOn: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('draft_conflict');
    expect(stale.body.error?.details).toMatchObject({ editedBy: 'api-key:default', revision: 2 });
    const kept = await app.templates.authoring.get('spring-sale');
    expect(kept.draft?.source.sampleData.marker).toBe('edited');
    expect(kept.draft?.revision).toBe(2);

    const again = await call('PUT', '/v1/templates/spring-sale/draft', { ...validSource(), basedOn: null });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('template_name_taken');
    const fileName = await call('PUT', '/v1/templates/newsletter/draft', { ...validSource(), basedOn: null });
    expect(fileName.status).toBe(409);
    expect(fileName.body.error?.code).toBe('template_name_taken');
  });

  it('two saves racing on one revision: exactly one wins', async () => {
    await call('PUT', '/v1/templates/race/draft', { ...validSource(), basedOn: null });
    const results = await Promise.all(['a', 'b', 'c'].map((m) => call('PUT', '/v1/templates/race/draft', { ...validSource(m), basedOn: 1 })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  const refusals: { label: string; change: Parameters<typeof validSource>[1]; field: string; line?: number; message: RegExp }[] = [
    { label: 'invalid MJML', change: { mjml: withLine(4, '      <mj-column><mj-bogus>x</mj-bogus>') }, field: 'mjml', line: 4, message: /MJML/ },
    { label: 'an unknown helper', change: { mjml: withLine(5, '        <mj-text>{{shout firstName}}</mj-text>') }, field: 'mjml', line: 5, message: /unknown Handlebars helper "shout"/ },
    { label: 'an unknown subscription type', change: { subscriptionType: 'no-such-type' }, field: 'subscriptionType', message: /unknown subscription type/ },
    { label: 'a missing subject', change: { subject: { en: 'Hi', de: ' ' } }, field: 'subject.de', message: /subject for "de" is missing/ },
    { label: 'a sample that does not render', change: { sampleData: { marker: 'x' } }, field: 'sampleData', message: /sample data does not render/ },
    { label: '<script>', change: { mjml: withLine(5, '        <mj-text><script>alert(1)</script></mj-text>') }, field: 'mjml', line: 5, message: /<script>/ },
    { label: 'an on*= attribute', change: { mjml: withLine(5, '        <mj-text><a href="https://x.test" onclick="steal()">x</a></mj-text>') }, field: 'mjml', line: 5, message: /event handler/ },
    { label: 'a javascript: URL', change: { mjml: withLine(5, '        <mj-button href="javascript:alert(1)">x</mj-button>') }, field: 'mjml', line: 5, message: /javascript: URLs/ },
    { label: 'CSS hiding the footer', change: { mjml: withLine(2, '  <mj-head><mj-style>.mg-footer { display: none }</mj-style></mj-head><mj-body>') }, field: 'mjml', line: 2, message: /footer|hides/ },
    { label: 'its own @footer', change: { mjml: withLine(5, '        <mj-text>{{@footer.unsubscribeUrl}}</mj-text>') }, field: 'mjml', line: 5, message: /@footer/ },
    { label: 'default attributes that would style the footer', change: { mjml: withLine(2, '  <mj-head><mj-attributes><mj-section background-color="#6b6880" /></mj-attributes></mj-head><mj-body>') }, field: 'mjml', line: 2, message: /mj-attributes/ },
    { label: 'CSS moving content away', change: { mjml: withLine(5, '        <mj-text><div style="position: absolute; left: -9999px">x</div></mj-text>') }, field: 'mjml', line: 5, message: /moves or clips/ },
    { label: 'an open element wrapping the footer', change: { mjml: withLine(8, '  <mj-raw><div style="height:0;overflow:hidden"></mj-raw></mj-body>') }, field: 'mjml', line: 8, message: /hides|mj-raw/ },
  ];

  it.each(refusals)('refuses to publish $label with 422 template_invalid at its line, and keeps the draft', async ({ change, field, line, message }) => {
    const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
    const saved = await call('PUT', `/v1/templates/${name}/draft`, { ...validSource('bad', change), basedOn: null });
    expect(saved.status).toBe(201);
    const res = await call('POST', `/v1/templates/${name}/publish`, { note: 'try' });
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('template_invalid');
    const findings = (res.body.error?.details as { findings: TemplateFinding[] }).findings;
    const hit = findings.find((f) => f.field === field && message.test(f.message));
    expect(hit, JSON.stringify(findings)).toBeDefined();
    if (line !== undefined) expect(hit?.line).toBe(line);
    const after = await app.templates.authoring.get(name);
    expect(after.draft?.revision).toBe(1);
    expect(after.versions).toEqual([]);
    expect((await call('GET', `/v1/templates/${name}/versions`)).body).toEqual([]);
  });

  it('publishes versions, lists them with their authors, diffs and rolls back', async () => {
    await call('PUT', '/v1/templates/digest/draft', { ...validSource('one'), basedOn: null });
    const v1 = await call('POST', '/v1/templates/digest/publish', { note: 'first' });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ name: 'digest', version: 1, author: 'api-key:default', note: 'first' });
    const listed = (await call('GET', '/v1/templates')).body as unknown as { name: string; origin?: string; version?: number }[];
    expect(listed.find((t) => t.name === 'digest')).toMatchObject({ origin: 'stored', version: 1 });
    expect(listed.find((t) => t.name === 'newsletter')).toMatchObject({ origin: 'file' });

    await call('PUT', '/v1/templates/digest/draft', { ...validSource('two'), basedOn: 1 });
    expect((await call('POST', '/v1/templates/digest/publish', {})).body.version).toBe(2);
    const diff = await app.templates.authoring.diff('digest', 1, 2);
    expect(diff).toContain('-        <mj-text>{{t.hello}} {{firstName}}, one</mj-text>');
    expect(diff).toContain('+        <mj-text>{{t.hello}} {{firstName}}, two</mj-text>');

    const restored = await call('POST', '/v1/templates/digest/versions/1/restore', { note: 'roll back' });
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ version: 3, restoredFrom: 1, note: 'roll back' });
    const versions = (await call('GET', '/v1/templates/digest/versions')).body as unknown as { version: number; author: string }[];
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions.every((v) => v.author === 'api-key:default')).toBe(true);
    const now = await app.templates.authoring.get('digest');
    expect(now.draft?.source.sampleData.marker).toBe('one');
    expect(now.published?.version).toBe(3);
    const preview = await call('GET', '/v1/templates/digest/preview?locale=de');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Hallo Ann, one');
    expect(preview.text).toContain('https://mail.example.test/unsubscribe/');
    const listItem = (await app.templates.authoring.list()).find((t) => t.name === 'digest');
    expect(listItem).toMatchObject({ origin: 'stored', publishedVersion: 3, draftChanged: false, lastEditor: 'api-key:default' });
  });

  it('refuses: unknown template or version (404), an oversized source (413), a bad body (400), and a marketer publishing transactional (403)', async () => {
    expect((await call('POST', '/v1/templates/nothing-here/publish', {})).body.error?.code).toBe('template_not_found');
    expect((await call('GET', '/v1/templates/nothing-here/versions')).status).toBe(404);
    await call('PUT', '/v1/templates/small/draft', { ...validSource(), basedOn: null });
    const noVersion = await call('POST', '/v1/templates/small/versions/9/restore', {});
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error?.code).toBe('version_not_found');

    const big = await call('PUT', '/v1/templates/huge/draft', { ...validSource('big', { mjml: validSource().mjml.replace('version one', 'x'.repeat(600 * 1024)) }), basedOn: null });
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('template_too_large');
    await expect(app.templates.authoring.get('huge')).rejects.toMatchObject({ code: 'template_not_found' });
    const bad = await call('PUT', '/v1/templates/shape/draft', { kind: 'marketing', basedOn: null });
    expect(bad.status).toBe(400);

    const receipt = validSource('receipt', { kind: 'transactional' });
    delete receipt.subscriptionType;
    await app.templates.authoring.saveDraft('receipt', receipt, { actor: 'mia@example.com', basedOn: null });
    await expect(app.templates.authoring.publish('receipt', { actor: 'mia@example.com', role: 'marketer', note: '' })).rejects.toMatchObject({ code: 'template_kind_forbidden', status: 403 });
    expect((await app.templates.authoring.get('receipt')).versions).toEqual([]);
    const byApi = await call('POST', '/v1/templates/receipt/publish', {});
    expect(byApi.status).toBe(201); // the API key acts as admin
  });
});
