import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/preferences/tokens.ts';
import { AppError } from '../../src/shared/errors.ts';
import { SubscriptionCatalog } from '../../src/subscriptions/catalog.ts';
import { loadTemplates, loadTemplatesOrThrow, TemplateLoadError } from '../../src/templates/load-templates.ts';
import type { TemplateRegistry } from '../../src/templates/template-registry.ts';
import { LOCALES } from '../../src/templates/types.ts';
import { TEST_SECRET } from '../helpers/env.ts';

const PUBLIC_URL = 'https://mail.example.test';
const POSTAL = 'Lumen GmbH · Example Street 1 · 10115 Berlin';
const tokens = new TokenService([TEST_SECRET]);
const catalog = SubscriptionCatalog.load('templates');
const deps = (dir: string) => ({ dir, catalog: SubscriptionCatalog.load(dir), tokens, publicUrl: PUBLIC_URL, postalAddress: POSTAL });

const SHIPPED = ['newsletter', 'product-update', 'welcome', 'password-reset', 'personal-note', 'resubscribe-confirmation'];
const tokenIn = (s: string, path: string) => new RegExp(`${PUBLIC_URL}${path}/([A-Za-z0-9_-]+)`).exec(s)?.[1];

let registry: TemplateRegistry;
beforeAll(async () => {
  registry = await loadTemplatesOrThrow(deps('templates'));
});

describe('shipped templates', () => {
  it('lists every shipped template with kind, type, subject and sample data', () => {
    expect(registry.list().map((t) => t.name).sort()).toEqual([...SHIPPED].sort());
    expect(registry.get('newsletter')).toMatchObject({ kind: 'marketing', subscriptionType: 'newsletter' });
    expect(registry.get('product-update')).toMatchObject({ kind: 'marketing', subscriptionType: 'product-updates' });
    expect(registry.get('personal-note')?.kind).toBe('one_to_one');
    expect(registry.get('welcome')?.subscriptionType).toBeUndefined();
  });

  for (const name of SHIPPED) {
    for (const locale of LOCALES) {
      it(`${name} renders in ${locale} with the footer in both parts`, () => {
        const info = registry.get(name)!;
        const out = registry.render({ template: name, data: registry.sampleData(name, locale)!, locale, to: 'ann@example.com', messageId: 'msg_1' });
        expect(out.subject.length).toBeGreaterThan(3);
        expect(out.html).toContain(`lang="${locale}"`);
        expect(out.html).not.toMatch(/\{\{|\}\}/);
        expect(out.text).not.toMatch(/\{\{|\}\}/);
        const prefs = tokenIn(out.html, '/preferences');
        expect(prefs).toBeDefined();
        expect(tokenIn(out.text, '/preferences')).toBeDefined();
        expect(tokens.verify(prefs, 'p')).toMatchObject({ ok: true, payload: { a: 'ann@example.com', m: 'msg_1', l: locale } });
        expect(out.html).toContain(POSTAL);
        expect(out.text).toContain(POSTAL);
        expect(out.html).toContain(locale === 'de' ? 'E-Mail-Einstellungen verwalten' : 'Manage email preferences');

        if (info.kind === 'marketing') {
          const typeName = catalog.get(info.subscriptionType!)!.name[locale];
          const unsub = tokenIn(out.html, '/unsubscribe');
          expect(tokens.verify(unsub, 'u')).toMatchObject({ ok: true, payload: { a: 'ann@example.com', t: info.subscriptionType } });
          expect(out.text).toContain(`${PUBLIC_URL}/unsubscribe/${unsub}`);
          expect(out.headers).toEqual({ 'List-Unsubscribe': `<${PUBLIC_URL}/unsubscribe/${unsub}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
          expect(out.html).toContain(typeName);
          expect(out.text).toContain(locale === 'de' ? `„${typeName}“ abonniert` : `subscribed to ${typeName}`);
        } else {
          expect(out.headers).toEqual({});
          expect(out.html).not.toContain(`${PUBLIC_URL}/unsubscribe/`);
        }
      });
    }
  }

  it('personal-note uses its hand-written text version', () => {
    const out = registry.render({ template: 'personal-note', data: registry.get('personal-note')!.sampleData, locale: 'en', to: 'ann@example.com', messageId: 'm' });
    expect(out.text.startsWith('Hi Ann,\n\nthank you for the call')).toBe(true);
  });

  it('a message naming a subscription type gets that type in its footer and token', () => {
    const out = registry.render({ template: 'newsletter', data: registry.get('newsletter')!.sampleData, locale: 'de', to: 'a@example.com', messageId: 'm', subscriptionType: 'events' });
    expect(out.html).toContain('„Veranstaltungen“');
    expect(tokens.verify(tokenIn(out.headers['List-Unsubscribe']!, '/unsubscribe'), 'u')).toMatchObject({ ok: true, payload: { t: 'events' } });
  });
});

describe('data is escaped and checked', () => {
  const sample = () => structuredClone(registry.get('newsletter')!.sampleData) as Record<string, unknown>;
  const render = (data: Record<string, unknown>, template = 'newsletter') => registry.render({ template, data, locale: 'en', to: 'ann@example.com', messageId: 'm' });

  it('HTML in data comes out escaped', () => {
    const out = render({ ...sample(), headline: '<script>alert(1)</script>', firstName: '<img src=x onerror=alert(1)>' });
    expect(out.html).not.toContain('<script>alert(1)</script>');
    expect(out.html).not.toContain('<img src=x');
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.subject).toContain('<script>alert(1)</script>'); // a subject is plain text
  });

  it('data cannot replace the footer, the locale strings or the links', () => {
    const out = render({ ...sample(), footer: { preferencesUrl: 'https://evil.example' }, t: { readMore: 'pwned' }, locale: 'xx' });
    expect(out.html).not.toContain('evil.example');
    expect(out.html).not.toContain('pwned');
    expect(out.html).toContain('lang="en"');
  });

  it('a subject cannot carry header line breaks', () => {
    expect(render({ ...sample(), headline: 'Hi\r\nBcc: victim@example.com' }).subject).not.toMatch(/[\r\n]/);
  });

  const failsWith = (fn: () => unknown, message: RegExp) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('render_failed');
      expect((err as AppError).message).toMatch(message);
      return;
    }
    expect.unreachable('render should have failed');
  };

  it('missing required data, a missing nested field, a javascript: link and an unknown template fail with render_failed', () => {
    const { headline: _h, ...noHeadline } = sample();
    failsWith(() => render(noHeadline), /needs data field "headline"/);
    failsWith(() => render({ ...sample(), stories: [{ summary: 'x', url: 'https://example.com' }] }), /"title" not defined/);
    failsWith(() => render({ ...sample(), ctaUrl: 'javascript:alert(1)' }), /http\(s\) or mailto URL/);
    failsWith(() => render(sample(), 'nope'), /unknown template "nope"/);
    failsWith(() => registry.render({ template: 'newsletter', data: sample(), locale: 'en', to: 'a@example.com', messageId: 'm', subscriptionType: 'nope' }), /unknown subscription type/);
  });
});

describe('templates from another folder', () => {
  let dir: string;
  const addTemplate = (name: string, mjml: string, meta: object = { kind: 'transactional', subject: { en: 'Hi', de: 'Hallo' } }, sample: object = {}) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'template.mjml'), mjml);
    writeFileSync(join(dir, name, 'meta.json'), JSON.stringify(meta));
    writeFileSync(join(dir, name, 'sample.json'), JSON.stringify(sample));
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailgate-templates-'));
    cpSync('templates/_partials', join(dir, '_partials'), { recursive: true });
    cpSync('templates/subscription-types.json', join(dir, 'subscription-types.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a template that leaves no place for a footer still gets it', async () => {
    addTemplate('bare', '<mjml><mj-body><mj-section><mj-column><mj-text>Just {{what}}</mj-text></mj-column></mj-section></mj-body></mjml>', undefined, { what: 'this' });
    const { registry: r, problems } = await loadTemplates(deps(dir));
    expect(problems).toEqual([]);
    const out = r.render({ template: 'bare', data: { what: 'text' }, locale: 'de', to: 'b@example.com', messageId: 'm2' });
    expect(out.html).toContain('Just text');
    expect(out.html).toContain(`${PUBLIC_URL}/preferences/`);
    expect(out.html).toContain('E-Mail-Einstellungen verwalten');
    expect(out.text).toContain(`${PUBLIC_URL}/preferences/`);
    expect(out.html.indexOf('Just text')).toBeLessThan(out.html.indexOf('/preferences/'));
    rmSync(join(dir, 'bare'), { recursive: true });
  });

  it('start-up fails naming each broken file and line', async () => {
    addTemplate('typo', '<mjml>\n<mj-body>\n<mj-section>\n<mj-colum><mj-text>x</mj-text></mj-colum>\n</mj-section>\n</mj-body>\n</mjml>');
    addTemplate('raw', '<mjml><mj-body><mj-section><mj-column>\n<mj-text>{{{html}}}</mj-text></mj-column></mj-section></mj-body></mjml>', undefined, { html: '<b>x</b>' });
    addTemplate('badtype', '<mjml><mj-body></mj-body></mjml>', { kind: 'marketing', subscriptionType: 'nope', subject: { en: 'a', de: 'b' } });
    addTemplate('nosubject', '<mjml><mj-body></mj-body></mjml>', { kind: 'transactional', subject: { en: '', de: 'b' } });
    addTemplate('syntax', '<mjml><mj-body><mj-section><mj-column>\n\n<mj-text>{{#if x}}open</mj-text></mj-column></mj-section></mj-body></mjml>');
    const error = await loadTemplatesOrThrow(deps(dir)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TemplateLoadError);
    const message = (error as Error).message;
    expect(message).toContain(`${join(dir, 'typo', 'template.mjml')}:4: MJML: Element mj-colum doesn't exist`);
    expect(message).toContain(`${join(dir, 'raw', 'template.mjml')}:2: unescaped output`);
    expect(message).toContain(`${join(dir, 'badtype', 'meta.json')}: unknown subscription type "nope"`);
    expect(message).toContain(`${join(dir, 'nosubject', 'meta.json')}: subject.en: must not be empty`);
    expect(message).toMatch(new RegExp(`${join(dir, 'syntax', 'template.mjml')}:3: Handlebars syntax`));
  });
});
