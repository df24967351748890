import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/preferences/tokens.ts';
import { AppError } from '../../src/shared/errors.ts';
import { SubscriptionCatalog } from '../../src/subscriptions/catalog.ts';
import { loadTemplates, loadTemplatesOrThrow } from '../../src/templates/load-templates.ts';
import { missingFields, requiredFieldsOf } from '../../src/templates/required-fields.ts';
import { LOCALES } from '../../src/templates/types.ts';
import { TEST_SECRET } from '../helpers/env.ts';

const deps = (dir: string) => ({ dir, catalog: SubscriptionCatalog.load(dir), tokens: new TokenService([TEST_SECRET]), publicUrl: 'https://mail.example.test', postalAddress: 'Example Street 1' });
const of = (source: string) => requiredFieldsOf([source]);

describe('required fields from the Handlebars AST', () => {
  it('a field printed outside any block is required; system values are not data', () => {
    expect(of('Hi {{firstName}}, {{t.greeting}} {{locale}} {{@footer.preferencesUrl}} {{@index}}')).toEqual(['firstName']);
    expect(of('{{this.code}} {{./other}} {{@root.plan}} {{!-- {{inComment}} --}}')).toEqual(['code', 'other', 'plan']);
  });

  it('a block guards what it holds: #if, #unless, else, #with and #each bodies are optional, and so are their conditions', () => {
    expect(of('{{#if firstName}}Hi {{firstName}}{{else}}{{fallback}}{{/if}} {{#unless vip}}{{offer}}{{/unless}}')).toEqual([]);
    expect(of('{{#with author}}{{name}}{{/with}}{{#each stories}}{{title}} {{url link}} {{@root.issue}}{{/each}}')).toEqual([]);
    expect(of('{{#if (eq plan "pro")}}{{proCode}}{{else if trial}}{{trialEnd}}{{/if}} {{total}}')).toEqual(['total']);
    // a section that is not a helper looks its path up strictly, so the path itself is required
    expect(of('{{#items}}{{name}}{{/items}}{{^gone}}x{{/gone}}')).toEqual(['gone', 'items']);
  });

  it('Handlebars partials (refused by the checker) add nothing; mj-include partials are part of the compiled HTML (below)', () => {
    expect(of('{{> other}} {{#> layout}}{{inside}}{{/layout}} {{kept}}')).toEqual(['kept']);
  });

  it('nested paths name the full path; the url helper needs its argument; eq does not', () => {
    expect(of('{{author.name}} {{author.address.city}} <a href="{{url ctaUrl}}">{{eq a b}}</a>')).toEqual(['author.address.city', 'author.name', 'ctaUrl']);
  });

  it('missing is undefined, null or "", and a nested path is missing when a step on the way is', () => {
    const required = ['name', 'author.name', 'author.address.city', 'list.0'];
    expect(missingFields(required, { name: 'Ann', author: { name: 'Bo', address: { city: 'Berlin' } }, list: ['x'] })).toEqual([]);
    expect(missingFields(required, { name: '', author: { name: null, address: 'Berlin' }, list: [] })).toEqual(required);
    expect(missingFields(required, {})).toEqual(required);
    expect(missingFields(['constructor', 'toString'], {})).toEqual(['constructor', 'toString']);
    expect(missingFields(['count', 'flag'], { count: 0, flag: false })).toEqual([]);
    expect(missingFields(['title.length', 'n.x', 'items.length'], { title: 'abc', n: 5, items: [] })).toEqual(['n.x']);
  });
});

describe('what a compiled template needs', () => {
  let dir: string;
  const addTemplate = (name: string, files: Record<string, string>, meta: object = { kind: 'transactional', subject: { en: 'Hi', de: 'Hallo' } }) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'meta.json'), JSON.stringify(meta));
    for (const [file, text] of Object.entries({ 'sample.json': '{}', ...files })) writeFileSync(join(dir, name, file), text);
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailgate-required-'));
    cpSync('templates/_partials', join(dir, '_partials'), { recursive: true });
    cpSync('templates/subscription-types.json', join(dir, 'subscription-types.json'));
    writeFileSync(join(dir, '_partials', 'signature.mjml'), '<mj-text>{{signature.name}}</mj-text>');
    addTemplate(
      'parts',
      {
        'template.mjml': '<mjml><mj-body><mj-section><mj-column><mj-text>{{body}}</mj-text><mj-include path="../_partials/signature.mjml" /><mj-include path="../_partials/button.mjml" /></mj-column></mj-section></mj-body></mjml>',
        'sample.json': JSON.stringify({ body: 'b', signature: { name: 's' }, ctaUrl: 'https://example.com', code: 'c', who: 'w', wer: 'x', extra: 'e' }),
      },
      { kind: 'transactional', subject: { en: 'For {{who}}', de: 'Für {{wer}}' }, required: ['extra'], text: 'template.txt', strings: { en: { cta: 'Go' }, de: { cta: 'Los' } } },
    );
    writeFileSync(join(dir, 'parts', 'template.txt'), 'Your code: {{code}}\n{{#if note}}{{note}}{{/if}}');
    // bench/run.ts writes this template: its data must keep passing
    addTemplate(
      'small',
      {
        'template.mjml': '<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{firstName}}, here is a short update: {{body}}</mj-text></mj-column></mj-section></mj-body></mjml>\n',
        'sample.json': JSON.stringify({ firstName: 'Ann', body: 'three new features shipped this week.' }),
      },
      { kind: 'marketing', subscriptionType: 'newsletter', subject: { en: 'News for {{firstName}}', de: 'Neues für {{firstName}}' } },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the HTML with its partials, the text, the subject of each locale and meta.json required', async () => {
    const registry = await loadTemplatesOrThrow(deps(dir));
    expect(registry.requiredFields('parts', 'en')).toEqual(['body', 'code', 'ctaUrl', 'extra', 'signature.name', 'who']);
    expect(registry.requiredFields('parts', 'de')).toEqual(['body', 'code', 'ctaUrl', 'extra', 'signature.name', 'wer']);
    expect(registry.requiredFields('small', 'en')).toEqual(['body', 'firstName']);
    expect(registry.requiredFields('nope', 'en')).toBeUndefined();
  });

  it('render refuses what the fields say is missing, naming every one with render_failed', async () => {
    const registry = await loadTemplatesOrThrow(deps(dir));
    const render = (data: Record<string, unknown>) => registry.render({ template: 'parts', data, locale: 'de', to: 'a@example.com', messageId: 'm' });
    const error = (() => {
      try {
        render({ body: 'b', signature: {}, ctaUrl: 'https://example.com', code: '', wer: 'x', extra: 'e' });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('render_failed');
    expect((error as AppError).message).toBe('template "parts" needs data fields "code", "signature.name"');
    expect(render({ body: 'b', signature: { name: 'S' }, ctaUrl: 'https://example.com', code: 'C', wer: 'x', extra: 'e' }).text).toContain('Your code: C');
  });

  it('a sample that lacks a required field is a load problem', async () => {
    addTemplate('thin', { 'template.mjml': '<mjml><mj-body><mj-section><mj-column><mj-text>{{needed}}</mj-text></mj-column></mj-section></mj-body></mjml>' });
    const { problems } = await loadTemplates(deps(dir));
    expect(problems.map((p) => p.message)).toContain('the sample data does not render (en): template "thin" needs data field "needed"');
    rmSync(join(dir, 'thin'), { recursive: true });
  });
});

describe('shipped templates', () => {
  it('each one’s sample data fills what it needs, in every locale, and newsletter needs what an empty {} lacks', async () => {
    const registry = await loadTemplatesOrThrow(deps('templates'));
    for (const { name } of registry.list()) {
      for (const locale of LOCALES) {
        expect(registry.requiredFields(name, locale)!.length, name).toBeGreaterThan(0);
        expect(missingFields(registry.requiredFields(name, locale)!, registry.sampleData(name, locale)!), `${name} ${locale}`).toEqual([]);
      }
    }
    expect(missingFields(registry.requiredFields('newsletter', 'en')!, {})).toEqual(['ctaUrl', 'headline', 'intro', 'issue', 'stories']);
  });
});
