import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { pageClient, type Page } from '../helpers/page-client.ts';
import { authHeaders, testConfig } from '../helpers/env.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { SubscriptionForms } from '../../src/preferences/index.ts';
import { AppError } from '../../src/shared/errors.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

let sink: SmtpSink;
let app: TestApp;
let forms: SubscriptionForms;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
let ipSeq = 0;
/** A distinct client IP per request group (trusted X-Forwarded-For from loopback), so rate limits do not leak between tests. */
const freshIp = () => `198.51.100.${++ipSeq}`;
const operator = 'marketer@example.com';

const { request, form, post, csrfOf } = pageClient(() => app);
const offered = (html: string) => [...html.matchAll(/name="types" value="([^"]+)"/g)].map((m) => m[1]);

async function openForm(path: string, ip: string): Promise<{ cookie: string; csrf: string; page: Page }> {
  const page = await request(path, { headers: { 'x-forwarded-for': ip } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: csrfOf(page.text), page };
}

async function confirmationLink(address: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (sink.to(address).length < 1) {
    if (Date.now() > deadline) throw new Error(`no confirmation email for ${address}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const match = /https:\/\/mail\.example\.test(\/subscribe\/confirm\/[A-Za-z0-9_-]+)/.exec(sink.to(address)[0]!.parsed?.text ?? '');
  if (!match) throw new Error('confirmation email without a link');
  return match[1]!;
}

async function addressView(address: string): Promise<{ optedOutOfAll: boolean; subscriptions: Record<string, string> }> {
  const res = await fetch(`${app.url}/v1/addresses/${encodeURIComponent(address)}`, { headers: authHeaders });
  expect(res.status).toBe(200);
  return (await res.json()) as { optedOutOfAll: boolean; subscriptions: Record<string, string> };
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp(testConfig('subforms', { SMTP_URL: sink.url, TRUST_PROXY: 'loopback' }));
  // the same collection the app's instance reads: a second instance over the app's connection
  forms = new SubscriptionForms({ db: app.ctx.db, catalog: app.ctx.catalog });
  await forms.create(
    {
      id: 'spring-news',
      title: { en: 'Spring <script>alert(1)</script> news', de: 'Frühlings-Neuigkeiten' },
      intro: { en: 'Stay in the loop & more.\n\nSecond paragraph.', de: 'Bleiben Sie auf dem Laufenden.' },
      types: ['events', 'newsletter'],
    },
    operator,
  );
  await forms.create({ id: 'launch', title: { en: 'Launch list', de: 'Startliste' }, types: ['product-updates'] }, operator);
});

afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

describe('subscription forms (use cases)', () => {
  it('stores forms with their authors and lists them, refusing duplicates, unknown types and unknown ids', async () => {
    const all = await forms.list();
    expect(all.map((f) => f.id)).toEqual(['launch', 'spring-news']);
    expect(all[1]).toMatchObject({ types: ['events', 'newsletter'], enabled: true, createdBy: operator, updatedBy: operator });
    expect(all[1]!.createdAt).toBeInstanceOf(Date);

    const dup = await refusal(forms.create({ id: 'launch', title: { en: 'x', de: 'y' }, types: ['events'] }, operator));
    expect([dup.code, dup.status]).toEqual(['form_exists', 409]);
    expect((await forms.get('launch')).title.en).toBe('Launch list'); // the duplicate changed nothing
    const unknownType = await refusal(forms.create({ id: 'other', title: { en: 'x', de: 'y' }, types: ['webinars'] }, operator));
    expect([unknownType.code, unknownType.status]).toEqual(['unknown_subscription_type', 422]);
    expect((await refusal(forms.get('nope'))).code).toBe('form_not_found');
    expect((await refusal(forms.update('nope', { enabled: false }, operator))).status).toBe(404);
    expect((await refusal(forms.get('Bad_Id'))).code).toBe('invalid_form_id');
    expect(await forms.list()).toHaveLength(2);
  });
});

describe('public form pages', () => {
  it('shows the form’s own title and intro, escaped, offering exactly its types, in English and German', async () => {
    const en = await request('/subscribe/spring-news?lang=en');
    expect(en.status).toBe(200);
    expect(en.text).toContain('<h1>Spring &lt;script&gt;alert(1)&lt;/script&gt; news</h1>');
    expect(en.text).not.toContain('<script');
    expect(en.text).toContain('<p class="lead">Stay in the loop &amp; more.</p>');
    expect(en.text).toContain('<p class="lead">Second paragraph.</p>');
    expect(offered(en.text)).toEqual(['events', 'newsletter']);
    expect(en.text).toContain('action="/subscribe/spring-news"');
    expect(en.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const de = await request('/subscribe/spring-news', { headers: { 'accept-language': 'de' } });
    expect(de.text).toContain('<html lang="de">');
    expect(de.text).toContain('<h1>Frühlings-Neuigkeiten</h1>');
    expect(de.text).toContain('Bleiben Sie auf dem Laufenden.');
    expect(de.text).toContain('href="/subscribe/spring-news?lang=en"');

    const launch = await request('/subscribe/launch');
    expect(offered(launch.text)).toEqual(['product-updates']);
    // the default form is unchanged: every type, the default words
    const byDefault = await request('/subscribe?lang=en');
    expect(offered(byDefault.text)).toEqual(['newsletter', 'product-updates', 'events']);
    expect(byDefault.text).not.toContain('Spring');
  });

  it('confirms exactly the types chosen from the form, lifting the opt-out of all', async () => {
    const address = fresh('form');
    await app.subscriptions.store.apply(address, { optedOutOfAll: true, subscriptions: { 'product-updates': 'unsubscribed' } }, { source: 'api' });
    const ip = freshIp();
    const { cookie, csrf } = await openForm('/subscribe/spring-news', ip);
    expect(cookie).toMatch(/^mg_form=/);
    const asked = await post('/subscribe/spring-news', form({ csrf, lang: 'en', email: address, types: ['newsletter', 'events'] }), { cookie, 'x-forwarded-for': ip });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Check your inbox');
    expect((await addressView(address)).optedOutOfAll).toBe(true); // asking changes nothing

    const link = await confirmationLink(address);
    const question = await request(link);
    expect(question.status).toBe(200);
    const confirmed = await post(link, form({ csrf: csrfOf(question.text) }), { 'x-forwarded-for': ip });
    expect(confirmed.status).toBe(200);
    expect(await addressView(address)).toMatchObject({
      optedOutOfAll: false,
      subscriptions: { newsletter: 'subscribed', events: 'subscribed', 'product-updates': 'unsubscribed' },
    });
  });

  it('refuses a type the form does not offer, a token of another form, and sends nothing', async () => {
    const address = fresh('notoffered');
    const ip = freshIp();
    const { cookie, csrf } = await openForm('/subscribe/launch', ip);
    const notOffered = await post('/subscribe/launch', form({ csrf, lang: 'en', email: address, types: ['product-updates', 'newsletter'] }), { cookie, 'x-forwarded-for': ip });
    expect(notOffered.status).toBe(400);
    // a CSRF token issued for one form does not post another (nor the default form)
    const other = await post('/subscribe/spring-news', form({ csrf, lang: 'en', email: address, types: 'events' }), { cookie, 'x-forwarded-for': ip });
    expect(other.status).toBe(403);
    expect((await post('/subscribe', form({ csrf, lang: 'en', email: address, types: 'events' }), { cookie, 'x-forwarded-for': ip })).status).toBe(403);
    expect(await app.messages.repository.model.countDocuments({ to: address })).toBe(0);
  });

  it('answers 404 for unknown and disabled forms, and shows an update at once', async () => {
    const ip = freshIp();
    const unknown = await request('/subscribe/no-such-form');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('<html lang=');
    expect((await request('/subscribe/Not_A_Slug')).status).toBe(404);
    expect((await request('/subscribe/confirm')).status).toBe(404);

    await forms.create({ id: 'autumn', title: { en: 'Autumn', de: 'Herbst' }, types: ['events'] }, operator);
    const { cookie, csrf } = await openForm('/subscribe/autumn', ip);
    expect(csrf).not.toBe('');
    const disabled = await forms.setEnabled('autumn', false, 'admin@example.com');
    expect(disabled).toMatchObject({ enabled: false, updatedBy: 'admin@example.com', createdBy: operator });
    expect((await request('/subscribe/autumn')).status).toBe(404);
    const address = fresh('disabled');
    const posted = await post('/subscribe/autumn', form({ csrf, lang: 'en', email: address, types: 'events' }), { cookie, 'x-forwarded-for': ip });
    expect(posted.status).toBe(404);
    expect(await app.messages.repository.model.countDocuments({ to: address })).toBe(0);

    await forms.setEnabled('autumn', true, operator);
    await forms.update('autumn', { title: { en: 'Autumn <b>events</b>', de: 'Herbst' }, types: ['events', 'newsletter'] }, operator);
    const updated = await request('/subscribe/autumn?lang=en');
    expect(updated.status).toBe(200);
    expect(updated.text).toContain('<h1>Autumn &lt;b&gt;events&lt;/b&gt;</h1>');
    expect(offered(updated.text)).toEqual(['events', 'newsletter']);
  });
});
