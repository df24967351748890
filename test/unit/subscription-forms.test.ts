import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.ts';
import { SubscriptionCatalog } from '../../src/subscriptions/index.ts';
import { checkFormId, parseCreateForm, parseUpdateForm } from '../../src/preferences/subscription-form-input.ts';
import { formSnippet } from '../../src/preferences/form-snippet.ts';
import { renderSubscribeForm } from '../../src/preferences/pages/subscribe-pages.ts';

const type = (id: string) => ({ id, name: { en: id, de: id }, description: { en: 'd', de: 'd' } });
const catalog = new SubscriptionCatalog([type('newsletter'), type('events'), type('product-updates')]);
const valid = { id: 'spring-2027', title: { en: 'Spring', de: 'Frühling' }, intro: { en: 'Hi', de: 'Hallo' }, types: ['newsletter', 'events'] };

/** The AppError `fn` throws, so a test can check its code and status. */
function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('subscription form input', () => {
  it('accepts a valid form, trimming text, defaulting to enabled, dropping duplicate types', () => {
    const parsed = parseCreateForm(catalog, { ...valid, title: { en: '  Spring ', de: 'Frühling' }, types: ['events', 'newsletter', 'events'] });
    expect(parsed).toEqual({ ...valid, title: { en: 'Spring', de: 'Frühling' }, types: ['events', 'newsletter'], enabled: true });
    expect(parseCreateForm(catalog, { id: 'ab', title: valid.title, types: ['events'] }).intro).toEqual({ en: '', de: '' });
  });

  it.each([['a'], ['-spring'], ['Spring'], ['spring_2027'], ['spring 2027'], ['x'.repeat(64)], ['confirm'], [''], [42], [undefined]])(
    'refuses the id %j with invalid_form_id (400)',
    (id) => {
      const err = refusal(() => parseCreateForm(catalog, { ...valid, id }));
      expect([err.code, err.status]).toEqual(['invalid_form_id', 400]);
    },
  );

  it('accepts ids at the edges of the slug rule', () => {
    expect(checkFormId('a1')).toBe('a1');
    expect(checkFormId('0' + 'a-'.repeat(31))).toHaveLength(63);
  });

  it('refuses an unknown subscription type with unknown_subscription_type (422), naming it', () => {
    const err = refusal(() => parseCreateForm(catalog, { ...valid, types: ['newsletter', 'webinars'] }));
    expect([err.code, err.status]).toEqual(['unknown_subscription_type', 422]);
    expect(err.message).toContain('webinars');
    expect(refusal(() => parseUpdateForm(catalog, { types: ['nope'] })).code).toBe('unknown_subscription_type');
  });

  it.each([
    ['no types', { ...valid, types: [] }],
    ['an empty English title', { ...valid, title: { en: '  ', de: 'x' } }],
    ['no German title', { ...valid, title: { en: 'x' } }],
    ['a French title', { ...valid, title: { en: 'x', de: 'y', fr: 'z' } }],
    ['a too long intro', { ...valid, intro: { en: 'x'.repeat(2001), de: '' } }],
    ['an unknown field', { ...valid, colour: 'red' }],
    ['enabled as a string', { ...valid, enabled: 'yes' }],
  ])('refuses %s with invalid_subscription_form (422)', (_label, input) => {
    const err = refusal(() => parseCreateForm(catalog, input));
    expect([err.code, err.status]).toEqual(['invalid_subscription_form', 422]);
  });

  it('updates only what is given, and refuses changing the id', () => {
    expect(parseUpdateForm(catalog, { enabled: false })).toEqual({ enabled: false });
    expect(parseUpdateForm(catalog, { types: ['events', 'events'] })).toEqual({ types: ['events'] });
    expect(refusal(() => parseUpdateForm(catalog, { id: 'other' })).code).toBe('invalid_subscription_form');
  });
});

describe('form snippet and page', () => {
  const evil = { id: 'spring', title: { en: `"><script>alert(1)</script>`, de: 'x' } };

  it('links and embeds the form by its public URL, with the title escaped', () => {
    const snippet = formSnippet('https://mail.example.test/', evil);
    expect(snippet.url).toBe('https://mail.example.test/subscribe/spring');
    expect(snippet.link).toBe('<a href="https://mail.example.test/subscribe/spring">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a>');
  });

  it('shows a stored form’s title and intro paragraphs as text', () => {
    const page = renderSubscribeForm({
      locale: 'en',
      types: [type('events')],
      action: '/subscribe/spring',
      csrf: 'c',
      postalAddress: 'Street',
      languageSwitch: '/subscribe/spring?lang=de',
      heading: { title: evil.title.en, intro: 'First <b>para</b>.\n\nSecond.' },
    });
    expect(page).not.toContain('<script');
    expect(page).toContain('<h1>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(page).toContain('<title>&quot;&gt;&lt;script&gt;');
    expect(page).toContain('<p class="lead">First &lt;b&gt;para&lt;/b&gt;.</p>');
    expect(page).toContain('<p class="lead">Second.</p>');
  });
});
