import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUserRepository } from '../../src/console/index.ts';
import type { MessageView } from '../../src/messages/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { consoleClient } from '../helpers/console-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { pageClient } from '../helpers/page-client.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

/**
 * "Why did Ann get this newsletter on 3 December?" (#22): every decided message keeps the rule that
 * decided and the consent event its address state rested on, and shows them in `GET /v1/messages/:id`
 * (`decision`), in a form `GET /v1/addresses/:a/history` lists — driven through the recipient's own
 * pages (the public form with its emailed confirmation, the one-click link of the mail received), the
 * API, and the console.
 */
type TestApp = Awaited<ReturnType<typeof startTestApp>>;
type ConsentEvent = { id: string; version: number; source: string };

let sink: SmtpSink;
let app: TestApp;
let optIn: TestApp;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.com`;
const { api, settled } = apiClient(() => app);
const pages = pageClient(() => app);
const consoleAt = consoleClient(() => app);
const OPERATOR = 'support@ops.example.com';
const PASSWORD = 'a long console password 42';

const data = (template: string) => app.templates.renderer.get(template)!.sampleData;
const sendVia = async (target: TestApp, message: Record<string, unknown>): Promise<MessageView> => {
  const res = await apiClient(() => target).api('POST', '/v1/messages', { data: data(message.template as string), ...message });
  expect(res.status).toBe(202);
  return apiClient(() => target).settled(String(res.body.id));
};
const newsletter = (to: string) => ({ kind: 'marketing', to, template: 'newsletter', subscriptionType: 'newsletter' });
const historyOf = async (target: TestApp, address: string) => (await apiClient(() => target).api('GET', `/v1/addresses/${encodeURIComponent(address)}/history`)).body as unknown as ConsentEvent[];

beforeAll(async () => {
  sink = await startSmtpSink();
  // TRUST_PROXY: the console client speaks as a TLS proxy on loopback (PUBLIC_URL is https).
  [app, optIn] = await Promise.all([
    startTestApp(testConfig('decision', { SMTP_URL: sink.url, TRUST_PROXY: 'loopback' })),
    startTestApp(testConfig('decision-optin', { SMTP_URL: sink.url, CONSENT_MODE: 'opt-in' })),
  ]);
  await new ConsoleUserRepository({ db: app.ctx.db }).add(OPERATOR, 'support', PASSWORD);
});
afterAll(async () => {
  await Promise.all([app?.stop(), optIn?.stop()]);
  await sink?.close();
});

describe('the decision a message keeps', () => {
  it('sent after a confirmed subscribe: `subscribed` and the subscribe event; suppressed after the one-click unsubscribe: `unsubscribed_from_type` and that event', async () => {
    const ann = fresh('ann');
    // The public form: it mails a confirmation, and only the confirmation's POST subscribes.
    const form = await pages.request('/subscribe');
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
    const asked = await pages.post('/subscribe', pages.form({ csrf: pages.csrfOf(form.text), lang: 'en', email: ann, types: ['newsletter'] }), { cookie });
    expect(asked.status).toBe(200);
    const [confirmation] = await eventually(() => (sink.to(ann).length > 0 ? sink.to(ann) : undefined));
    const link = /https:\/\/mail\.example\.test(\/subscribe\/confirm\/[A-Za-z0-9_-]+)/.exec(confirmation!.parsed?.text ?? '')![1]!;
    const confirm = await pages.request(link);
    expect((await pages.post(link, pages.form({ csrf: pages.csrfOf(confirm.text) }))).status).toBe(200);
    const subscribe = (await historyOf(app, ann)).at(-1)!;
    expect(subscribe).toMatchObject({ source: 'resubscribe_form', id: `${ann}#${subscribe.version}` });

    const sent = await sendVia(app, newsletter(ann));
    expect(sent.status).toBe('sent');
    expect(sent.decision).toEqual({ rule: 'subscribed', consentEvent: subscribe.id, consentMode: 'opt-out' });

    // Ann presses her mail client's unsubscribe button: the one-click link of the newsletter she got.
    const received = sink.to(ann).at(-1)!;
    const oneClick = /<https:\/\/mail\.example\.test(\/unsubscribe\/[A-Za-z0-9_-]+)>/.exec(received.header('list-unsubscribe') ?? '')![1]!;
    expect((await pages.post(oneClick, 'List-Unsubscribe=One-Click')).status).toBe(200);
    const unsubscribe = (await historyOf(app, ann)).at(-1)!;
    expect(unsubscribe).toMatchObject({ source: 'one_click' });

    const suppressed = await sendVia(app, newsletter(ann));
    expect(suppressed).toMatchObject({ status: 'suppressed', reason: 'unsubscribed_from_type' });
    expect(suppressed.decision).toEqual({ rule: 'unsubscribed_from_type', consentEvent: unsubscribe.id, consentMode: 'opt-out' });

    // Both events are ones the history lists, by the id the decisions name.
    const ids = (await historyOf(app, ann)).map((e) => e.id);
    expect(ids).toContain(sent.decision!.consentEvent);
    expect(ids).toContain(suppressed.decision!.consentEvent);
    expect(sent.decision!.consentEvent).not.toBe(suppressed.decision!.consentEvent);
  });

  it('transactional and one-to-one mail to an opted-out address names its kind and the opt-out; a never-seen address rests on no event', async () => {
    const out = fresh('out');
    expect((await api('PATCH', `/v1/addresses/${out}`, { optedOutOfAll: true })).status).toBe(200);
    const optOut = (await historyOf(app, out)).at(-1)!;
    const receipt = await sendVia(app, { kind: 'transactional', to: out, template: 'welcome' });
    const note = await sendVia(app, { kind: 'one_to_one', to: out, template: 'personal-note' });
    expect(receipt).toMatchObject({ status: 'sent', decision: { rule: 'transactional', consentEvent: optOut.id, consentMode: 'opt-out' } });
    expect(note).toMatchObject({ status: 'sent', decision: { rule: 'one_to_one', consentEvent: optOut.id, consentMode: 'opt-out' } });
    expect((await sendVia(app, newsletter(out))).decision).toEqual({ rule: 'opted_out_of_all', consentEvent: optOut.id, consentMode: 'opt-out' });

    const stranger = fresh('stranger');
    const first = await sendVia(app, newsletter(stranger));
    expect(first.status).toBe('sent');
    expect(first.decision).toEqual({ rule: 'not_specified_opt_out_mode', consentEvent: null, consentMode: 'opt-out' });
    expect(await historyOf(app, stranger)).toEqual([]);
  });

  it('a message that failed after the check keeps its decision (a 550 5.1.1 to a new address)', async () => {
    const gone = fresh('gone');
    sink.rejectRecipient(gone, '550 5.1.1 No such user');
    const failed = await sendVia(app, { kind: 'transactional', to: gone, template: 'welcome' });
    expect(failed).toMatchObject({ status: 'failed', reason: 'hard_bounce', decision: { rule: 'transactional', consentEvent: null, consentMode: 'opt-out' } });
    // the bounce it caused is the next event: the next message rests on it
    const bounce = (await historyOf(app, gone)).at(-1)!;
    expect((await sendVia(app, { kind: 'transactional', to: gone, template: 'welcome' })).decision).toEqual({ rule: 'hard_bounce', consentEvent: bounce.id, consentMode: 'opt-out' });
  });

  it('in opt-in mode: a never-seen address is `not_subscribed`, a subscribed one `subscribed`, both in mode opt-in', async () => {
    const bob = fresh('bob');
    expect((await sendVia(optIn, newsletter(bob))).decision).toEqual({ rule: 'not_subscribed', consentEvent: null, consentMode: 'opt-in' });
    expect((await apiClient(() => optIn).api('PATCH', `/v1/addresses/${bob}`, { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    const subscribe = (await historyOf(optIn, bob)).at(-1)!;
    expect(await sendVia(optIn, newsletter(bob))).toMatchObject({ status: 'sent', decision: { rule: 'subscribed', consentEvent: subscribe.id, consentMode: 'opt-in' } });
  });

  it('a message recorded before decisions were kept reads without one, in the API, the export and the console', async () => {
    const old = fresh('old');
    // Queued far ahead, then given the outcome the earlier code wrote: no decision.
    const res = await api('POST', '/v1/messages', { kind: 'transactional', to: old, template: 'welcome', data: data('welcome'), sendAt: new Date(Date.now() + 86_400_000).toISOString() });
    const id = String(res.body.id);
    await app.messages.repository.recordOutcomes([{ id, outcome: { status: 'sent', sentAt: new Date(), attempts: 1, smtpResponse: '250 OK' } }]);
    const view = await settled(id);
    expect(view.status).toBe('sent');
    expect(view).not.toHaveProperty('decision');
    const exported = (await api('GET', `/v1/addresses/${encodeURIComponent(old)}/export`)).body as { messages: MessageView[] };
    expect(exported.messages).toEqual([expect.objectContaining({ id, status: 'sent' })]);
    expect(exported.messages[0]).not.toHaveProperty('decision');
    const session = await consoleAt.signIn(OPERATOR, PASSWORD, '198.51.100.9');
    const page = await consoleAt.request(`/console/addresses/${encodeURIComponent(old)}`, '198.51.100.9', { cookie: session });
    expect(page.status).toBe(200);
    // its row, with an empty decision cell
    expect(page.body).toMatch(new RegExp(`<tr><td>[^<]*</td><td>${id}</td>(<td>[^<]*</td>){4}<td></td></tr>`));
  });
});

describe('the console links a message to the consent event it rests on', () => {
  it('each decided row links to its event in the timeline, in English and German', async () => {
    const cara = fresh('cara');
    expect((await api('PATCH', `/v1/addresses/${cara}`, { subscriptions: { newsletter: 'subscribed' } })).status).toBe(200);
    const sent = await sendVia(app, newsletter(cara));
    expect((await api('PATCH', `/v1/addresses/${cara}`, { subscriptions: { newsletter: 'unsubscribed' } })).status).toBe(200);
    const suppressed = await sendVia(app, newsletter(cara));
    const [subscribe, unsubscribe] = await historyOf(app, cara);
    expect([sent.decision?.consentEvent, suppressed.decision?.consentEvent]).toEqual([subscribe!.id, unsubscribe!.id]);

    const ip = '198.51.100.10';
    const session = await consoleAt.signIn(OPERATOR, PASSWORD, ip);
    // <wbr> lets long ids wrap at their punctuation on a phone; the text is the same without them
    const en = (await consoleAt.request(`/console/addresses/${encodeURIComponent(cara)}`, ip, { cookie: session })).body.replaceAll('<wbr>', '');
    const row = (id: string) => new RegExp(`<tr><td>[^<]*</td><td>${id}</td>.*?</tr>`).exec(en)?.[0] ?? '';
    expect(row(sent.id)).toContain(`subscribed · <a href="#event-${subscribe!.version}">Consent event ${subscribe!.version}</a>`);
    expect(row(suppressed.id)).toContain(`unsubscribed_from_type · <a href="#event-${unsubscribe!.version}">Consent event ${unsubscribe!.version}</a>`);
    // the anchors are the timeline entries of those events, which name their ids
    for (const event of [subscribe!, unsubscribe!]) expect(en).toMatch(new RegExp(`<li id="event-${event.version}"><h3>.*?<dd>${event.id.replace(/[.+]/g, '\\$&')}</dd>`, 's'));

    const res = await fetch(`${app.url}/console/addresses/${encodeURIComponent(cara)}`, { headers: { cookie: session, 'x-forwarded-proto': 'https', 'x-forwarded-for': ip, 'accept-language': 'de' } });
    const de = await res.text();
    expect(de).toContain('<th scope="col">Entscheidung</th>');
    expect(de).toContain(`<a href="#event-${subscribe!.version}">Einwilligungsereignis ${subscribe!.version}</a>`);
  });
});
