// Issue 12 item 3 (docs/rules.md §11): the re-subscribe form cannot bomb one mailbox through spellings
// of its address, a global hourly cap bounds what the form mails, and a hard-bounced address is
// never mailed. Each refusal answers the same page as a confirmation that went out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;
const CAP = 6;
let app: TestApp;
let ipSeq = 0;
/** A distinct client IP per request (trusted X-Forwarded-For from loopback), so the per-IP limit stays out of the way. */
const freshIp = () => `198.51.100.${++ipSeq}`;
let seq = 0;
const tag = () => `${Date.now().toString(36)}${seq++}`;

beforeAll(async () => {
  // api only: the confirmation records are what the form asked to send; no worker needs to send them
  app = await startTestApp(testConfig('resubscribe', { RESUBSCRIBE_CONFIRMATIONS_PER_HOUR: String(CAP), TRUST_PROXY: 'loopback' }), { api: true, worker: false });
});
afterAll(async () => {
  await app?.stop();
});

/** Opens the form as a browser would (cookie + CSRF) and posts one address. */
async function ask(email: string): Promise<{ status: number; text: string }> {
  const ip = freshIp();
  const page = await fetch(`${app.url}/subscribe`, { headers: { 'x-forwarded-for': ip } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const body = new URLSearchParams({ csrf, lang: 'en', email, types: 'newsletter' }).toString();
  const res = await fetch(`${app.url}/subscribe`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': ip },
  });
  return { status: res.status, text: await res.text() };
}

const confirmations = (filter: Record<string, unknown> = {}) =>
  app.messages!.repository.model.countDocuments({ template: 'resubscribe-confirmation', ...filter });

describe('re-subscribe form: mailbox bombing', () => {
  // One test: the global cap is shared by everything this app sends, so the steps are counted in order.
  it('counts the mailbox not the spelling, never mails a hard-bounced address, and stops at the hourly cap without telling', async () => {
    // 1. five spellings of one gmail mailbox: three confirmations, then the per-address limit
    const victim = `victim${tag()}`;
    const spellings = [`${victim}+1@gmail.com`, `${victim}+2@gmail.com`, `${victim.slice(0, 1)}.${victim.slice(1)}@gmail.com`, `${victim.toUpperCase()}+x@googlemail.com`, `${victim}@gmail.com`];
    const statuses: number[] = [];
    for (const email of spellings) statuses.push((await ask(email)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(await confirmations()).toBe(3);
    // the address is mailed as written: the folding is only the limit's key
    expect(await confirmations({ to: `${victim}+1@gmail.com` })).toBe(1);
    expect(await confirmations({ to: `${victim.slice(0, 1)}.${victim.slice(1)}@gmail.com` })).toBe(1);

    // 2. a hard-bounced address: the same answer, no mail, and no share of the hourly budget
    const bounced = `bounced-${tag()}@example.com`;
    await app.subscriptions!.store.apply(bounced, { suppression: { kind: 'hard_bounce', at: new Date(), source: 'bounce', detail: '5.1.1 user unknown' } }, { source: 'bounce' });
    const other = `other-${tag()}@example.com`;
    const toBounced = await ask(bounced);
    const toOther = await ask(other);
    expect(toBounced.status).toBe(200);
    expect(toBounced.text.replace(bounced, 'ADDRESS')).toBe(toOther.text.replace(other, 'ADDRESS'));
    expect(await confirmations({ to: bounced })).toBe(0);
    expect(await confirmations({ to: other })).toBe(1);
    expect(await confirmations()).toBe(4);

    // 3. the hourly cap (6): two more go out, then the form answers as usual and sends nothing
    const distinct = Array.from({ length: 4 }, () => `cap-${tag()}@example.com`);
    const answers = [];
    for (const email of distinct) answers.push(await ask(email));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[3]!.text.replace(distinct[3]!, 'ADDRESS')).toBe(answers[0]!.text.replace(distinct[0]!, 'ADDRESS'));
    expect(await confirmations()).toBe(CAP);
    expect(await confirmations({ to: { $in: distinct.slice(2) } })).toBe(0);

    // the refusals are counted for the operator
    const metrics = await app.ctx.metrics.metrics();
    expect(metrics).toMatch(/mailgate_recipient_actions_total\{action="resubscribe_not_sent_hourly_cap"\} 2/);
    expect(metrics).toMatch(/mailgate_recipient_actions_total\{action="resubscribe_not_sent_hard_bounce"\} 1/);
  });
});
