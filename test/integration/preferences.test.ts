import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { pageClient, type Page } from '../helpers/page-client.ts';
import { testConfig } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { TokenService } from '../../src/preferences/tokens.ts';
import type { MessageView } from '../../src/messages/index.ts';
import type { AddressState } from '../../src/subscriptions/types.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let sink: SmtpSink;
let app: TestApp;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
let ipSeq = 0;
/** A distinct client IP per test (trusted X-Forwarded-For from loopback), so rate limits do not leak between tests. */
const freshIp = () => `203.0.113.${++ipSeq}`;

const { request, form, post, csrfOf } = pageClient(() => app);
const store = () => app.subscriptions!.store;
const state = (address: string) => store().get(address);
const history = (address: string) => store().history(address);
const snapshot = (s: AddressState) => ({ optedOutOfAll: s.optedOutOfAll, subscriptions: s.subscriptions, version: s.version });

const sign = {
  p: (a: string, l?: string) => app.ctx.tokens.sign({ k: 'p', a, m: 'msg_test', ...(l ? { l } : {}) }),
  u: (a: string, t = 'newsletter', l?: string) => app.ctx.tokens.sign({ k: 'u', a, m: 'msg_test', t, ...(l ? { l } : {}) }),
  c: (a: string, ts: string[], n: string, l = 'en') => app.ctx.tokens.sign({ k: 'c', a, ts, n, l }),
};

/** Every way we know to spoil a token: one character changed, cut short, signed by someone else, garbage. */
function spoiled(token: string, payload: Parameters<TokenService['sign']>[0]): [string, string][] {
  const flip = (c: string) => (c === 'A' ? 'B' : 'A');
  const mid = Math.floor(token.length / 2);
  return [
    ['tampered', token.slice(0, mid) + flip(token[mid]!) + token.slice(mid + 1)],
    ['tampered last char', token.slice(0, -1) + flip(token.at(-1)!)],
    ['truncated', token.slice(0, -6)],
    ['foreign', new TokenService(['someone-elses-secret-0123456789']).sign(payload)],
    ['garbage', 'not-a-token'],
  ];
}

async function settled(id: string, timeoutMs = 15_000): Promise<MessageView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await app.messages!.getStatus(id);
    if (view.status !== 'queued') return view;
    if (Date.now() > deadline) throw new Error(`message ${id} still queued after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The form page's cookie and CSRF token, as a browser would hold them. */
async function openForm(ip: string, query = ''): Promise<{ cookie: string; csrf: string; page: Page }> {
  const page = await request(`/subscribe${query}`, { headers: { 'x-forwarded-for': ip } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: csrfOf(page.text), page };
}

async function confirmationLink(address: string, count = 1): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (sink.to(address).length < count) {
    if (Date.now() > deadline) throw new Error(`no confirmation email for ${address}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const mail = sink.to(address)[count - 1]!;
  const match = /https:\/\/mail\.example\.test(\/subscribe\/confirm\/[A-Za-z0-9_-]+)/.exec(mail.parsed?.text ?? '');
  if (!match) throw new Error('confirmation email without a link');
  return match[1]!;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  // The tests send X-Forwarded-For from loopback, as a local reverse proxy would.
  app = await startTestApp(testConfig('preferences', { SMTP_URL: sink.url, TRUST_PROXY: 'loopback' }));
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('preference page', () => {
  it('shows every type with its state, escaped, with strict security headers', async () => {
    const address = fresh('show');
    await store().apply(address, { subscriptions: { events: 'unsubscribed', newsletter: 'subscribed' } }, { source: 'api' });
    const page = await request(`/preferences/${sign.p(address)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="en">');
    for (const name of ['Newsletter', 'Product updates', 'Events']) expect(page.text).toContain(name);
    expect(page.text).toMatch(/data-type="newsletter"[\s\S]*?data-state>Subscribed</);
    expect(page.text).toMatch(/data-type="events"[\s\S]*?data-state>Unsubscribed</);
    expect(page.text).toMatch(/data-type="product-updates"[\s\S]*?data-state>Receiving</);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.text).not.toContain('<script');
  });

  it('speaks the message locale first, then Accept-Language, then English', async () => {
    const address = fresh('lang');
    expect((await request(`/preferences/${sign.p(address, 'de')}`, { headers: { 'accept-language': 'en' } })).text).toContain('E-Mail-Einstellungen');
    const byHeader = await request(`/preferences/${sign.p(address)}`, { headers: { 'accept-language': 'fr;q=1, de-AT;q=0.8, en;q=0.5' } });
    expect(byHeader.text).toContain('<html lang="de">');
    expect((await request(`/preferences/${sign.p(address)}`, { headers: { 'accept-language': 'fr' } })).text).toContain('<html lang="en">');
  });

  it('unsubscribes from one type at once, recording source, IP, user agent and message id', async () => {
    const address = fresh('one');
    const token = sign.p(address);
    const page = await request(`/preferences/${token}`);
    const res = await post(`/preferences/${token}`, form({ csrf: csrfOf(page.text), action: 'unsubscribe', type: 'newsletter' }), {
      'user-agent': 'TestBrowser/1.0',
      'x-forwarded-for': '198.51.100.7',
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('You have unsubscribed from Newsletter.');
    expect((await state(address)).subscriptions).toEqual({ newsletter: 'unsubscribed' });
    const [event] = await history(address);
    expect(event).toMatchObject({ source: 'preferences_page', ip: '198.51.100.7', userAgent: 'TestBrowser/1.0', messageId: 'msg_test' });
  });

  it('unsubscribes from all, then re-subscribes chosen types at once', async () => {
    const address = fresh('all');
    const token = sign.p(address);
    const csrf = csrfOf((await request(`/preferences/${token}`)).text);
    const off = await post(`/preferences/${token}`, form({ csrf, action: 'unsubscribe_all' }));
    expect(off.status).toBe(200);
    expect(off.text).toContain('data-opted-out');
    expect((await state(address)).optedOutOfAll).toBe(true);

    const none = await post(`/preferences/${token}`, form({ csrf, action: 'resubscribe' }));
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose at least one topic.');
    expect((await state(address)).optedOutOfAll).toBe(true);

    const back = await post(`/preferences/${token}`, form({ csrf, action: 'resubscribe', types: ['events', 'newsletter'] }));
    expect(back.status).toBe(200);
    expect(await state(address)).toMatchObject({ optedOutOfAll: false, subscriptions: { events: 'subscribed', newsletter: 'subscribed' } });
    expect((await history(address)).map((e) => e.source)).toEqual(['preferences_page', 'preferences_page']);
  });

  it('refuses CSRF-less and mismatched posts with 403, changing nothing', async () => {
    const address = fresh('csrf');
    const token = sign.p(address);
    const otherCsrf = csrfOf((await request(`/preferences/${sign.p(fresh('other'))}`)).text);
    const ownCsrf = csrfOf((await request(`/preferences/${token}`)).text);
    const attempts = [
      form({ action: 'unsubscribe_all' }),
      form({ csrf: '', action: 'unsubscribe_all' }),
      form({ csrf: otherCsrf, action: 'unsubscribe_all' }),
      form({ csrf: `${ownCsrf.slice(0, -2)}xx`, action: 'unsubscribe_all' }),
      form({ csrf: [ownCsrf, ownCsrf], action: 'unsubscribe_all' }),
    ];
    for (const body of attempts) {
      const res = await post(`/preferences/${token}`, body);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Nothing was changed.');
    }
    // a cross-site form post carries no CSRF token either
    expect((await post(`/preferences/${token}`, form({ action: 'unsubscribe', type: 'newsletter' }), { origin: 'https://evil.example' })).status).toBe(403);
    expect(await state(address)).toMatchObject({ optedOutOfAll: false, subscriptions: {}, version: 0 });
  });

  it('answers a tampered, truncated or foreign token with a 4xx page and changes nothing', async () => {
    const address = fresh('tamper');
    const token = sign.p(address);
    const csrf = csrfOf((await request(`/preferences/${token}`)).text);
    for (const [label, bad] of spoiled(token, { k: 'p', a: address })) {
      const get = await request(`/preferences/${bad}`);
      expect(get.status, label).toBe(400);
      expect(get.text).toContain('This link is not valid');
      expect(get.text).not.toContain(address);
      const res = await post(`/preferences/${bad}`, form({ csrf, action: 'unsubscribe_all' }));
      expect(res.status, label).toBe(400);
    }
    // a one-click token is not a preferences token
    expect((await request(`/preferences/${sign.u(address)}`)).status).toBe(400);
    expect(await state(address)).toMatchObject({ optedOutOfAll: false, version: 0 });
  });

  it('refuses oversized forms (413) and forms it does not serve (400), changing nothing', async () => {
    const address = fresh('big');
    const token = sign.p(address);
    const csrf = csrfOf((await request(`/preferences/${token}`)).text);
    const big = await post(`/preferences/${token}`, form({ csrf, action: 'unsubscribe_all', pad: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(big.text).toContain('The form is too large');
    for (const body of [
      form({ csrf, action: 'unsubscribe', type: 'no-such-type' }),
      form({ csrf, action: 'delete_everything' }),
      form({ csrf, action: 'unsubscribe_all', extra: '1' }),
      form({ csrf, action: 'resubscribe', types: ['newsletter', '$where'] }),
    ]) {
      expect((await post(`/preferences/${token}`, body)).status).toBe(400);
    }
    expect((await state(address)).version).toBe(0);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  it('GET changes nothing and offers a button that posts List-Unsubscribe=One-Click', async () => {
    const address = fresh('get');
    const token = sign.u(address, 'events');
    const page = await request(`/unsubscribe/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<form method="post" action="/unsubscribe/${token}">`);
    expect(page.text).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page.text).toMatch(/href="\/preferences\/[A-Za-z0-9_-]+"/);
    expect(page.text).toContain('“Events”');
    expect((await state(address)).version).toBe(0);
  });

  it('POST (urlencoded) unsubscribes from the type: 200, no redirect, no cookie; the next marketing message is suppressed', async () => {
    const address = fresh('oneclick');
    const res = await post(`/unsubscribe/${sign.u(address)}`, 'List-Unsubscribe=One-Click', { 'user-agent': 'Gmail one-click' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.text).toContain('You are unsubscribed');
    expect((await state(address)).subscriptions).toEqual({ newsletter: 'unsubscribed' });
    expect((await history(address))[0]).toMatchObject({ source: 'one_click', userAgent: 'Gmail one-click', messageId: 'msg_test' });

    const data = (app.templates!.renderer.get('newsletter')?.sampleData ?? {}) as Record<string, unknown>;
    const queued = await app.messages!.enqueue({ kind: 'marketing', to: address, template: 'newsletter', subscriptionType: 'newsletter', data });
    expect(await settled(queued.id)).toMatchObject({ status: 'suppressed', reason: 'unsubscribed_from_type' });
    expect(sink.to(address)).toHaveLength(0);
  });

  it('POST (multipart/form-data) unsubscribes too', async () => {
    const address = fresh('multi');
    const boundary = '----mailgate-test-boundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await request(`/unsubscribe/${sign.u(address, 'product-updates')}`, {
      method: 'POST',
      body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.status).toBe(200);
    expect((await state(address)).subscriptions).toEqual({ 'product-updates': 'unsubscribed' });
  });

  it('refuses any other body (400) or content type (415), changing nothing', async () => {
    const address = fresh('badbody');
    const token = sign.u(address);
    const boundary = 'b0undary';
    const multipart = (parts: string) => ({ body: `--${boundary}\r\n${parts}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` });
    const cases: { body: string; type?: string; status: number }[] = [
      { body: '', status: 400 },
      { body: 'List-Unsubscribe=One-Click', type: undefined, status: 400 },
      { body: 'List-Unsubscribe=Yes', type: 'application/x-www-form-urlencoded', status: 400 },
      { body: 'List-Unsubscribe=One-Click&x=1', type: 'application/x-www-form-urlencoded', status: 400 },
      { body: 'List-Unsubscribe=One-Click&List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded', status: 400 },
      { body: 'list-unsubscribe=one-click', type: 'application/x-www-form-urlencoded', status: 400 },
      { body: 'List-Unsubscribe=One-Click', type: 'text/plain', status: 415 },
      { body: '{"List-Unsubscribe":"One-Click"}', type: 'application/json', status: 415 },
      { ...multipart('Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nNope\r\n'), status: 400 },
      { ...multipart('Content-Disposition: form-data; name="List-Unsubscribe"; filename="x.txt"\r\n\r\nOne-Click\r\n'), status: 400 },
      { body: 'garbage', type: `multipart/form-data; boundary=${boundary}`, status: 400 },
      { body: 'List-Unsubscribe=One-Click', type: 'multipart/form-data', status: 400 },
    ];
    for (const c of cases) {
      const headers: Record<string, string> = c.type ? { 'content-type': c.type } : {};
      // bytes, so that fetch adds no content type of its own
      const res = await request(`/unsubscribe/${token}`, { method: 'POST', body: new TextEncoder().encode(c.body), headers });
      expect(res.status, `${c.type}: ${c.body}`).toBe(c.status);
    }
    const huge = await post(`/unsubscribe/${token}`, `List-Unsubscribe=One-Click&pad=${'x'.repeat(20_000)}`);
    expect(huge.status).toBe(413);
    expect((await state(address)).version).toBe(0);
  });

  it('refuses a spoiled token on GET and POST, changing nothing', async () => {
    const address = fresh('badunsub');
    const token = sign.u(address);
    for (const [label, bad] of spoiled(token, { k: 'u', a: address, t: 'newsletter' })) {
      expect((await request(`/unsubscribe/${bad}`)).status, label).toBe(400);
      expect((await post(`/unsubscribe/${bad}`, 'List-Unsubscribe=One-Click')).status, label).toBe(400);
    }
    expect((await post(`/unsubscribe/${sign.p(address)}`, 'List-Unsubscribe=One-Click')).status).toBe(400);
    expect((await state(address)).version).toBe(0);
  });
});

describe('re-subscribe form', () => {
  it('shows the offered types with a CSRF token bound to a SameSite=Strict cookie', async () => {
    const { cookie, csrf, page } = await openForm(freshIp(), '?lang=de');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('<label for="email">E-Mail-Adresse</label>');
    expect(page.text).toContain('<legend>Themen</legend>');
    for (const id of ['newsletter', 'product-updates', 'events']) expect(page.text).toContain(`value="${id}"`);
    expect(csrf).not.toBe('');
    expect(cookie).toMatch(/^mg_form=/);
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(page.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
  });

  it('changes nothing until the emailed link is confirmed, answers a never-seen address identically, and confirms once', async () => {
    const optedOut = fresh('optedout');
    const neverSeen = fresh('neverseen');
    await store().apply(optedOut, { optedOutOfAll: true, subscriptions: { newsletter: 'unsubscribed' } }, { source: 'api' });
    const before = snapshot(await state(optedOut));

    const ip = freshIp();
    const { cookie, csrf } = await openForm(ip);
    const ask = (email: string) =>
      post('/subscribe', form({ csrf, lang: 'en', email, types: ['newsletter', 'events'] }), { cookie, 'x-forwarded-for': ip });
    const a = await ask(optedOut);
    const b = await ask(neverSeen.toUpperCase());
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.text).toContain('Check your inbox');
    // identical answers, apart from the echoed address
    expect(b.text.replace(neverSeen, 'ADDRESS')).toBe(a.text.replace(optedOut, 'ADDRESS'));
    expect([...b.headers.keys()].sort()).toEqual([...a.headers.keys()].sort());
    expect(snapshot(await state(optedOut))).toEqual(before);
    expect((await state(neverSeen)).version).toBe(0);

    // both get a confirmation email (transactional reaches the opted-out address)
    const link = await confirmationLink(optedOut);
    await confirmationLink(neverSeen);
    const confirmPage = await request(link);
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.text).toContain('Newsletter');
    expect(confirmPage.text).toContain('Events');
    expect(snapshot(await state(optedOut))).toEqual(before); // GET changes nothing

    const confirmCsrf = csrfOf(confirmPage.text);
    const first = await post(link, form({ csrf: confirmCsrf }), { 'x-forwarded-for': '192.0.2.44', 'user-agent': 'UA/2' });
    expect(first.status).toBe(200);
    expect(first.text).toContain('You are subscribed');
    const after = await state(optedOut);
    expect(after).toMatchObject({ optedOutOfAll: false, subscriptions: { newsletter: 'subscribed', events: 'subscribed' } });
    const events = await history(optedOut);
    expect(events.at(-1)).toMatchObject({ source: 'resubscribe_form', ip: '192.0.2.44', userAgent: 'UA/2' });

    // a replayed confirmation does nothing
    const second = await post(link, form({ csrf: confirmCsrf }));
    expect(second.status).toBe(409);
    expect(second.text).toContain('already been used');
    expect((await state(optedOut)).version).toBe(after.version);
    expect(await history(optedOut)).toHaveLength(events.length);
    expect((await request(link)).text).toContain('Already confirmed');
  });

  it('confirms only one of two concurrent replays', async () => {
    const address = fresh('race');
    const link = `/subscribe/confirm/${sign.c(address, ['events'], `race-${seq}`)}`;
    const csrf = csrfOf((await request(link)).text);
    const results = await Promise.all(Array.from({ length: 5 }, () => post(link, form({ csrf }))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await history(address)).toHaveLength(1);
  });

  it('refuses CSRF-less and cookie-less form posts (403) and sends nothing', async () => {
    const ip = freshIp();
    const { cookie, csrf } = await openForm(ip);
    const other = await openForm(freshIp());
    const email = fresh('nocsrf');
    const body = (fields: Record<string, string>) => form({ lang: 'en', email, types: 'newsletter', ...fields });
    expect((await post('/subscribe', body({}), { cookie, 'x-forwarded-for': ip })).status).toBe(403);
    expect((await post('/subscribe', body({ csrf }), { 'x-forwarded-for': ip })).status).toBe(403);
    expect((await post('/subscribe', body({ csrf }), { cookie: other.cookie, 'x-forwarded-for': ip })).status).toBe(403);
    expect((await post('/subscribe', body({ csrf: other.csrf }), { cookie, 'x-forwarded-for': ip })).status).toBe(403);
    const count = await app.messages!.repository.model.countDocuments({ to: email });
    expect(count).toBe(0);
  });

  it('refuses a confirmation without CSRF, with a spoiled token, or after 48 hours, changing nothing', async () => {
    const address = fresh('badconfirm');
    const token = sign.c(address, ['newsletter'], `n-${seq}`);
    const csrf = csrfOf((await request(`/subscribe/confirm/${token}`)).text);
    expect((await post(`/subscribe/confirm/${token}`, form({}))).status).toBe(403);
    expect((await post(`/subscribe/confirm/${token}`, form({ csrf: 'x' }))).status).toBe(403);
    for (const [label, bad] of spoiled(token, { k: 'c', a: address, ts: ['newsletter'], n: 'x' })) {
      expect((await request(`/subscribe/confirm/${bad}`)).status, label).toBe(400);
      expect((await post(`/subscribe/confirm/${bad}`, form({ csrf }))).status, label).toBe(400);
    }
    const past = new TokenService(app.ctx.config.secrets, () => Date.now() - 49 * 3600 * 1000);
    const expired = past.sign({ k: 'c', a: address, ts: ['newsletter'], n: `old-${seq}` });
    const gone = await request(`/subscribe/confirm/${expired}`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('href="/subscribe"');
    expect((await post(`/subscribe/confirm/${expired}`, form({ csrf }))).status).toBe(410);
    expect((await state(address)).version).toBe(0);
    // the refused attempts did not spend the link: it still confirms
    expect((await post(`/subscribe/confirm/${token}`, form({ csrf }))).status).toBe(200);
  });

  it('answers an invalid address or no chosen type with the form and its errors (422), sending nothing', async () => {
    const ip = freshIp();
    const { cookie, csrf } = await openForm(ip);
    const res = await post('/subscribe', form({ csrf, lang: 'en', email: 'Ann <ann@example.com>\r\nBcc: x@example.com' }), { cookie, 'x-forwarded-for': ip });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a valid email address');
    expect(res.text).toContain('Choose at least one topic.');
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).not.toContain('<script');
    const xss = await post('/subscribe', form({ csrf, lang: 'en', email: '"><script>alert(1)</script>', types: 'events' }), { cookie, 'x-forwarded-for': ip });
    expect(xss.status).toBe(422);
    expect(xss.text).not.toContain('<script>alert(1)</script>');
    expect(xss.text).toContain('&quot;&gt;&lt;script&gt;');
    expect((await post('/subscribe', form({ csrf, email: 'a@example.com', types: 'not-offered' }), { cookie, 'x-forwarded-for': ip })).status).toBe(400);
    expect((await post('/subscribe', form({ csrf, email: 'a@example.com', types: 'events', pad: 'x'.repeat(20_000) }), { cookie, 'x-forwarded-for': ip })).status).toBe(413);
    expect(await app.messages!.repository.model.countDocuments({ template: 'resubscribe-confirmation', to: 'a@example.com' })).toBe(0);
  });

  it('rate-limits per address and per IP (429)', async () => {
    const email = fresh('limit');
    const ip = freshIp();
    const { cookie, csrf } = await openForm(ip);
    const ask = (address: string, from: string) =>
      post('/subscribe', form({ csrf, lang: 'en', email: address, types: 'newsletter' }), { cookie, 'x-forwarded-for': from });
    // per address: three confirmation emails an hour, whatever IP asks
    for (let i = 0; i < 3; i++) expect((await ask(email, freshIp())).status).toBe(200);
    const limited = await ask(email, freshIp());
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Too many requests');
    // per IP: twenty form posts an hour
    const busy = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await ask(`not an address ${i}`, busy)).status);
    expect(statuses.slice(0, 20).every((s) => s === 422)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe('recipient pages in general', () => {
  it('never redirects anywhere, and unknown recipient paths get an HTML 404', async () => {
    const res = await request('/preferences');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect((await request('/subscribe/confirm')).status).toBe(404);
    expect((await request('/subscribe?next=https://evil.example')).headers.get('location')).toBeNull();
  });
});
