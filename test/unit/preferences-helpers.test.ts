import express, { type Request } from 'express';
import { describe, expect, it } from 'vitest';
import { CsrfGuard } from '../../src/http/csrf.ts';
import { escapeHtml, highlight, html } from '../../src/http/html.ts';
import { pickLocale } from '../../src/http/page-locale.ts';
import { checkMultipart, checkUrlencoded } from '../../src/preferences/one-click-body.ts';
import { toStateChange } from '../../src/preferences/preference-actions.ts';
import { renderPreferencePage } from '../../src/preferences/pages/preference-page.ts';
import { emptyState } from '../../src/subscriptions/types.ts';

describe('html', () => {
  it('escapes every interpolated value, but not nested html', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(escapeHtml('`')).toBe('&#96;');
    expect(highlight((a) => `Hello ${a}!`, '<b@x.com>').value).toBe('Hello <span class="addr">&lt;b@x.com&gt;</span>!');
  });

  it('renders a recipient-controlled address inertly on the preference page', () => {
    const address = `a"><img src=x onerror=alert(1)>@example.com`;
    const page = renderPreferencePage({
      locale: 'en',
      address,
      state: emptyState(address),
      types: [{ id: 'news', name: { en: '<i>News</i>', de: 'N' }, description: { en: 'd', de: 'd' } }],
      consentMode: 'opt-out',
      action: '/preferences/tok',
      csrf: 'c"srf',
      postalAddress: '<Street>',
    });
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<i>News</i>');
    expect(page).toContain('&lt;Street&gt;');
    expect(page).toContain('value="c&quot;srf"');
  });
});

/** A real Express request whose only header is Accept-Language (req.acceptsLanguages reads it). */
const withAcceptLanguage = (header: string | undefined): Request =>
  Object.assign(Object.create(express.request) as Request, { headers: header === undefined ? {} : { 'accept-language': header } });

describe('locale', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-CH, en;q=0.9', 'de'],
    ['fr-FR, fr;q=0.9, en;q=0.8, de;q=0.7', 'en'],
    ['fr, de;q=0.5, en;q=0.4', 'de'],
    ['en;q=0, de;q=0.1', 'de'],
    ['*', undefined],
    ['xx', undefined],
  ])('Accept-Language %j → %s', (header, expected) => {
    // no header, an empty one, '*' or none of our locales: English
    const locale = expected ?? 'en';
    expect(pickLocale(undefined, withAcceptLanguage(header))).toBe(locale);
    expect(pickLocale('fr', withAcceptLanguage(header))).toBe(locale);
  });

  it('prefers the token locale, then the header, then English', () => {
    expect(pickLocale('de', withAcceptLanguage('en'))).toBe('de');
    expect(pickLocale('fr', withAcceptLanguage('de'))).toBe('de');
    expect(pickLocale(undefined, withAcceptLanguage('fr'))).toBe('en');
    expect(pickLocale(['de'], withAcceptLanguage(undefined))).toBe('en');
  });
});

describe('CsrfGuard', () => {
  it('accepts its own token for the same scope only, within its lifetime', () => {
    let now = Date.parse('2025-06-01T00:00:00Z');
    const guard = new CsrfGuard({ secrets: ['s'.repeat(16)], now: () => now, ttlSeconds: 3600 });
    const token = guard.issue('p:abc');
    expect(guard.verify(token, 'p:abc')).toBe(true);
    expect(guard.verify(token, 'p:abd')).toBe(false);
    expect(guard.verify(undefined, 'p:abc')).toBe(false);
    expect(guard.verify(`${token}x`, 'p:abc')).toBe(false);
    expect(guard.verify(token.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`), 'p:abc')).toBe(false);
    expect(new CsrfGuard({ secrets: ['t'.repeat(16)], now: () => now }).verify(token, 'p:abc')).toBe(false);
    // rotation: a guard with a new first secret still verifies the old one's tokens
    expect(new CsrfGuard({ secrets: ['t'.repeat(16), 's'.repeat(16)], now: () => now }).verify(token, 'p:abc')).toBe(true);
    now += 3601 * 1000;
    expect(guard.verify(token, 'p:abc')).toBe(false);
  });
});

describe('one-click body', () => {
  it('accepts exactly List-Unsubscribe=One-Click (urlencoded)', () => {
    expect(checkUrlencoded({ 'List-Unsubscribe': 'One-Click' })).toBe('one_click');
    expect(checkUrlencoded({ 'List-Unsubscribe': ['One-Click', 'One-Click'] })).toBe('invalid');
    expect(checkUrlencoded({ 'List-Unsubscribe': 'One-Click', a: 'b' })).toBe('invalid');
    expect(checkUrlencoded({ 'List-Unsubscribe': 'one-click' })).toBe('invalid');
    expect(checkUrlencoded({})).toBe('invalid');
    expect(checkUrlencoded(undefined)).toBe('invalid');
  });

  it('reads multipart/form-data as mail providers send it', async () => {
    const type = 'multipart/form-data; boundary="----=_Part_1"';
    const part = (headers: string, value: string) => `------=_Part_1\r\n${headers}\r\n\r\n${value}\r\n`;
    const field = (value: string) => part('Content-Disposition: form-data; name="List-Unsubscribe"', value);
    const body = (value: string, extra = '') => Buffer.from(`preamble\r\n${field(value)}${extra}------=_Part_1--\r\n`);
    // the quoted boundary is read exactly: the same body under another boundary is refused
    expect(await checkMultipart(body('One-Click'), type)).toBe('one_click');
    expect(await checkMultipart(body('One-Click'), 'multipart/form-data; boundary=----=_Part_2')).toBe('invalid');
    expect(await checkMultipart(body('One-Click '), type)).toBe('invalid');
    expect(await checkMultipart(body('One-Click', '------=_Part_1\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n'), type)).toBe('invalid');
    expect(await checkMultipart(body('One-Click').subarray(0, 60), type)).toBe('invalid');
    expect(await checkMultipart(body('One-Click'), 'multipart/form-data')).toBe('invalid');
    expect(await checkMultipart('List-Unsubscribe=One-Click', type)).toBe('invalid');
    // duplicated field, a file, a part that is not text/plain, a second part without a form-data name
    expect(await checkMultipart(body('One-Click', field('One-Click')), type)).toBe('invalid');
    const only = (p: string) => Buffer.from(`${p}------=_Part_1--\r\n`);
    expect(await checkMultipart(only(part('Content-Disposition: form-data; name="List-Unsubscribe"; filename="x.txt"', 'One-Click')), type)).toBe('invalid');
    expect(await checkMultipart(only(part('Content-Disposition: form-data; name="List-Unsubscribe"\r\nContent-Type: application/json', 'One-Click')), type)).toBe('invalid');
    expect(await checkMultipart(only(part('Content-Disposition: form-data; name="List-Unsubscribe"\r\nContent-Type: text/plain; charset=utf-8', 'One-Click')), type)).toBe('one_click');
    expect(await checkMultipart(body('One-Click', part('Content-Disposition: attachment; name="x"', 'y')), type)).toBe('invalid');
    expect(await checkMultipart(only(part('Content-Disposition: form-data', 'One-Click')), type)).toBe('invalid');
  });
});

describe('preference actions', () => {
  it('maps each action to one state change', () => {
    expect(toStateChange({ action: 'unsubscribe', type: 'news' })).toEqual({ subscriptions: { news: 'unsubscribed' } });
    expect(toStateChange({ action: 'subscribe', type: 'news' })).toEqual({ subscriptions: { news: 'subscribed' } });
    expect(toStateChange({ action: 'unsubscribe_all' })).toEqual({ optedOutOfAll: true });
    expect(toStateChange({ action: 'resubscribe', types: ['a', 'b'] })).toEqual({
      optedOutOfAll: false,
      subscriptions: { a: 'subscribed', b: 'subscribed' },
    });
  });
});
