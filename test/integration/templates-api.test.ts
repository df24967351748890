import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startTestApp } from '../helpers/app.ts';

describe('GET /v1/templates and the preview endpoint (real app)', () => {
  let app: App & { stop(): Promise<void> };
  beforeAll(async () => {
    app = await startTestApp(testConfig('templates_api', { MAIL_POSTAL_ADDRESS: 'Lumen GmbH · Example Street 1 · 10115 Berlin' }), { api: true, worker: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const get = (path: string, headers: Record<string, string> = authHeaders) => fetch(`${app.url}${path}`, { headers });

  it('lists every template per the contract', async () => {
    const res = await get('/v1/templates');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; kind: string; subscriptionType?: string; subject: string; sampleData: Record<string, unknown> }[];
    expect(body.map((t) => t.name).sort()).toEqual(['newsletter', 'password-reset', 'personal-note', 'product-update', 'resubscribe-confirmation', 'welcome']);
    const newsletter = body.find((t) => t.name === 'newsletter')!;
    expect(newsletter).toMatchObject({ kind: 'marketing', subscriptionType: 'newsletter', subject: '{{headline}} · The Lumen Letter {{issue}}' });
    expect(newsletter.sampleData).toHaveProperty('stories');
    expect(body.find((t) => t.name === 'welcome')).not.toHaveProperty('subscriptionType');
    expect(app.templates?.renderer.get('resubscribe-confirmation')?.kind).toBe('transactional');
  });

  it('previews a template in German with the footer, and as text', async () => {
    const res = await get('/v1/templates/newsletter/preview?locale=de');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Weniger planen, mehr liefern');
    expect(html).toContain('https://mail.example.test/preferences/');
    expect(html).toContain('https://mail.example.test/unsubscribe/');
    expect(html).toContain('Abmelden');
    expect(html).toContain('Lumen GmbH · Example Street 1 · 10115 Berlin');
    const text = await (await get('/v1/templates/welcome/preview?format=text')).text();
    expect(text).toContain('Manage email preferences: https://mail.example.test/preferences/');
  });

  it('refuses an unknown template, a bad locale and a missing key', async () => {
    const unknown = await get('/v1/templates/nope/preview');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_template');
    const badLocale = await get('/v1/templates/newsletter/preview?locale=fr');
    expect(badLocale.status).toBe(400);
    expect(((await badLocale.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
    expect((await get('/v1/templates', {})).status).toBe(401);
  });
});
