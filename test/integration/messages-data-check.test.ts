import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { ConsoleUserRepository } from '../../src/console/index.ts';
import { LOCALES } from '../../src/templates/index.ts';
import { apiClient } from '../helpers/api-client.ts';
import { startTestApp } from '../helpers/app.ts';
import { consoleClient } from '../helpers/console-client.ts';
import { testConfig } from '../helpers/env.ts';

// Data checked at enqueue (#24): a message whose data does not fill its template is refused with
// 422 `template_data_invalid` before anything is stored, instead of failing later at render.
let app: Awaited<ReturnType<typeof startTestApp>>;
const { api } = apiClient(() => app);
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
const stored = (to: string) => app.messages!.repository.model.countDocuments({ to });
const sample = (name: string) => app.templates.renderer.get(name)!.sampleData;
/** The sample a shipped template has for a locale: `sample.<locale>.json` where it ships one. */
const localeSample = (name: string, locale: string): Record<string, unknown> => {
  const file = `templates/${name}/sample.${locale}.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : sample(name);
};
const newsletter = (to: string, data: Record<string, unknown>) => ({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter', data });

beforeAll(async () => {
  // TRUST_PROXY: the console client speaks as a TLS proxy on loopback (PUBLIC_URL is https).
  app = await startTestApp(testConfig('data-check', { TRUST_PROXY: 'loopback' }), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

describe('POST /v1/messages', () => {
  it('refuses newsletter with {} as a new user would send it, naming every missing field, and stores nothing', async () => {
    const to = fresh('empty');
    const res = await api('POST', '/v1/messages', newsletter(to, {}));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'template_data_invalid',
        message: 'Template "newsletter" (en) needs data fields "ctaUrl", "headline", "intro", "issue", "stories"',
        details: { missing: ['ctaUrl', 'headline', 'intro', 'issue', 'stories'] },
      },
    });
    expect(await stored(to)).toBe(0);
  });

  it('treats null and "" as missing, and accepts the same message once the data is complete', async () => {
    const to = fresh('partial');
    const res = await api('POST', '/v1/messages', newsletter(to, { ...sample('newsletter'), headline: '', ctaUrl: null }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'template_data_invalid', details: { missing: ['ctaUrl', 'headline'] } });
    expect(await stored(to)).toBe(0);
    const ok = await api('POST', '/v1/messages', newsletter(to, { ...sample('newsletter'), firstName: '' }));
    expect(ok.status).toBe(202);
    expect(ok.body).toEqual({ id: expect.any(String), status: 'queued' });
    expect(await stored(to)).toBe(1);
  });

  it('checks the subject of the message’s own locale', async () => {
    // welcome's subject and body both print firstName; without it either locale refuses
    const to = fresh('locale');
    const { firstName: _f, ...data } = sample('welcome');
    const res = await api('POST', '/v1/messages', { kind: 'transactional', to, template: 'welcome', locale: 'de', data });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'template_data_invalid', message: expect.stringContaining('(de)'), details: { missing: ['firstName'] } });
    expect(await stored(to)).toBe(0);
  });

  it('accepts every shipped template with its own sample data, in every locale', async () => {
    for (const info of app.templates.renderer.list()) {
      for (const locale of LOCALES) {
        const to = fresh(`${info.name}-${locale}`);
        const data = localeSample(info.name, locale);
        const res = await api('POST', '/v1/messages', { kind: info.kind, to, template: info.name, locale, data, ...(info.subscriptionType ? { subscriptionType: info.subscriptionType } : {}) });
        expect(res.status, `${info.name} (${locale}): ${JSON.stringify(res.body)}`).toBe(202);
      }
    }
  });
});

describe('POST /v1/messages/batch', () => {
  it('refuses only the items whose data is incomplete; the others are stored as before', async () => {
    const [good, empty, nested] = [fresh('b-good'), fresh('b-empty'), fresh('b-nested')];
    const res = await api('POST', '/v1/messages/batch', {
      messages: [newsletter(good, sample('newsletter')), newsletter(empty, {}), { kind: 'transactional', to: nested, template: 'password-reset', data: { resetUrl: 'https://example.com/r' } }],
    });
    expect(res.status).toBe(202);
    const results = res.body.results as Record<string, unknown>[];
    expect(results[0]).toEqual({ id: expect.any(String), status: 'queued' });
    expect(results[1]).toEqual({ error: { code: 'template_data_invalid', message: expect.stringContaining('needs data fields'), details: { missing: ['ctaUrl', 'headline', 'intro', 'issue', 'stories'] } } });
    expect(results[2]).toMatchObject({ error: { code: 'template_data_invalid', details: { missing: ['expiresInMinutes'] } } });
    expect(await stored(good)).toBe(1);
    expect(await stored(empty)).toBe(0);
    expect(await stored(nested)).toBe(0);
  });
});

describe('the console’s “Send me a test”', () => {
  it('goes through the same check: the page names the missing fields and nothing is stored', async () => {
    const console_ = consoleClient(() => app);
    const email = fresh('marketer');
    await new ConsoleUserRepository({ db: app.ctx.db }).add(email, 'marketer', 'a long console password 42');
    const cookie = await console_.signIn(email, 'a long console password 42', '198.51.100.7');
    const page = await console_.request('/console/templates/newsletter', '198.51.100.7', { cookie });
    expect(page.status).toBe(200);
    const form = { csrf: console_.csrfOf(page.body), locale: 'en', data: JSON.stringify({ issue: '12' }) };
    const refused = await console_.request('/console/templates/newsletter/test', '198.51.100.7', { cookie, form });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('needs data fields &quot;ctaUrl&quot;, &quot;headline&quot;, &quot;intro&quot;, &quot;stories&quot;');
    expect(await stored(email)).toBe(0);
    const sent = await console_.request('/console/templates/newsletter/test', '198.51.100.7', { cookie, form: { ...form, data: JSON.stringify(sample('newsletter')) } });
    expect(sent.status).toBe(200);
    expect(await stored(email)).toBe(1);
  });
});
