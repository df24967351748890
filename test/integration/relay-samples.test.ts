import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryNormalizeAddress } from '../../src/addresses/index.ts';
import type { AddressView } from '../../src/subscriptions/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { basicAuth, mailgunSignature, sendgridHeaders, sendgridKeys } from '../helpers/relay-signers.ts';
import {
  expectedVerdicts,
  loadRelaySamples,
  localizeSample,
  mapJsonText,
  originOf,
  sampleText,
  type LocalizedSample,
  type RelaySample,
  type RelayVendor,
  type Verdict,
} from '../helpers/relay-samples.ts';
import { TOPIC_ARN, startSnsFake, type SignInput, type SnsFake } from '../helpers/sns-fake.ts';

// Issue #20, "the samples as tests": every documented sample in test/fixtures/relays/ goes through
// the real receivers with real authentication (a test-signed SNS envelope, Postmark basic auth, a
// SendGrid ECDSA signature, a fresh Mailgun HMAC and token), and must reach the verdict index.json
// states: 200, then hard_bounce / complaint suppress, an unsubscribe opts out, and nothing else
// suppresses or opts out anyone. Each sample is a copy with addresses and event ids of its own, so
// no two samples share state. The explicit cases at the end cover bad input and event ids.
const SAMPLES = loadRelaySamples();
const VENDORS: RelayVendor[] = ['ses', 'postmark', 'sendgrid', 'mailgun'];
const RUN = randomBytes(3).toString('hex');
const POSTMARK_AUTH = 'postmark-hook:correct-horse-battery-staple';
const MAILGUN_KEY = 'key-mailgun-signing-0123456789abcdef';
const SENDGRID = sendgridKeys();
/** The topics of the whole SNS envelopes: configured too, so each envelope is re-signed with its own TopicArn. */
const ENVELOPE_TOPICS = SAMPLES.filter((s) => s.layer === 'sns-envelope').map((s) => (JSON.parse(sampleText(s)) as { TopicArn: string }).TopicArn);
/** How many samples are replayed at once (two shared cores; the feedback worker applies them). */
const CONCURRENCY = 4;

let sns: SnsFake;
let app: Awaited<ReturnType<typeof startTestApp>>;
const { api } = apiClient(() => app);
/** The status each sample was answered with, for the summary at the end. */
const answered = new Map<string, number>();

beforeAll(async () => {
  sns = await startSnsFake();
  app = await startTestApp(
    testConfig('relaysamples', {
      FEEDBACK_SES_TOPIC_ARNS: [TOPIC_ARN, ...new Set(ENVELOPE_TOPICS)].join(','),
      FEEDBACK_POSTMARK_AUTH: POSTMARK_AUTH,
      FEEDBACK_SENDGRID_PUBLIC_KEY: SENDGRID.publicKeyBase64,
      FEEDBACK_MAILGUN_SIGNING_KEY: MAILGUN_KEY,
    }),
    { api: true, worker: true },
    { snsHttps: { lookup: sns.lookup, ca: sns.caPem } },
  );
});

afterAll(async () => {
  await app?.stop();
  await sns?.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs to a relay receiver as the relay does (no API key). */
async function post(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

const postSns = (signed: string) =>
  post('/v1/feedback/ses', signed, { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': (JSON.parse(signed) as { Type: string }).Type });
const postPostmark = (body: string, credentials = POSTMARK_AUTH) => post('/v1/feedback/postmark', body, basicAuth(credentials));
const postSendgrid = (body: string, privateKey = SENDGRID.privateKey) => post('/v1/feedback/sendgrid', body, sendgridHeaders(body, privateKey));
const postMailgun = (body: string) => post('/v1/feedback/mailgun', body, {});

/** Someone else's keys and secrets, for requests that must fail authentication. */
const FORGER = {
  snsKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  postmarkAuth: 'postmark-hook:not-the-password',
  sendgridKey: sendgridKeys().privateKey,
  mailgunKey: 'not-the-mailgun-signing-key',
};

/**
 * Posts a sample's copy wrapped in its layer (SOURCES.md, "How to read index.json"), authenticated as
 * its relay does it, or, `forged`, with someone else's key or password.
 */
async function postSample(sample: RelaySample, text: string, serial: number, forged = false): Promise<Answer & { signed?: string }> {
  const snsOptions = forged ? { signingKeyPem: FORGER.snsKeyPem } : {};
  const mailgunKey = forged ? FORGER.mailgunKey : MAILGUN_KEY;
  switch (sample.layer) {
    case 'ses-notification':
    case 'ses-event': {
      // Identity notifications carry no Subject; configuration-set event publishing sets this one.
      const subject = sample.layer === 'ses-event' ? { Subject: 'Amazon SES Email Event Notification' } : {};
      const signed = sns.sign({ Message: text, ...subject }, serial % 2 === 0 ? '2' : '1', snsOptions);
      return { ...(await postSns(signed)), signed };
    }
    case 'sns-envelope': {
      // A whole SNS message: its own fields (Type, Message, Subject, TopicArn…), signed afresh.
      const envelope = JSON.parse(text) as Record<string, unknown>;
      const field = (key: string) => (typeof envelope[key] === 'string' ? envelope[key] : undefined);
      const input: SignInput = { Type: field('Type') as SignInput['Type'], Message: field('Message'), Subject: field('Subject'), TopicArn: field('TopicArn'), MessageId: field('MessageId') };
      const signed = sns.sign(input, field('SignatureVersion') === '2' ? '2' : '1', snsOptions);
      return { ...(await postSns(signed)), signed };
    }
    case 'postmark':
      return postPostmark(text, forged ? FORGER.postmarkAuth : POSTMARK_AUTH);
    case 'sendgrid-batch':
    case 'sendgrid-event':
      return postSendgrid(sample.layer === 'sendgrid-event' ? `[${text}]` : text, forged ? FORGER.sendgridKey : SENDGRID.privateKey);
    case 'mailgun-event-data':
      return postMailgun(mailgunBody(text, mailgunKey));
    case 'mailgun-body': {
      // Mailgun's numbers are doubles below 2^53: JSON.parse and stringify keep them exactly.
      const body = JSON.parse(text) as Record<string, unknown>;
      return postMailgun(mailgunBody(JSON.stringify(body['event-data']), mailgunKey));
    }
  }
}

/** A Mailgun body around this event-data text, with a fresh signature block. */
function mailgunBody(eventData: string, key = MAILGUN_KEY): string {
  return `{"signature":${JSON.stringify(mailgunSignature(key))},"event-data":${eventData}}`;
}

const feedbackEvents = () => app.ctx.db.collection('feedback_events');
const stateOf = async (address: string) => (await api('GET', `/v1/addresses/${encodeURIComponent(address)}`)).body as unknown as AddressView;
/** The types of the feedback events stored about an address. */
const recordedTypes = async (address: string) => [...new Set((await feedbackEvents().find({ address }).toArray()).map((r) => String(r.type)))].sort();

/** For a failure message: whether the receiver kept (part of) this sample's copy as unreadable, and why. */
async function keptUnreadable(tag: string): Promise<string> {
  const kept = await feedbackEvents().find({ raw: { $regex: tag } }).toArray();
  return kept.length === 0 ? '' : `, kept as ${kept.map((r) => String(r.detail)).join(', ')}`;
}

/** Waits for the feedback worker: every event stored about these addresses (all stored before the 200) has been applied. */
async function appliedFor(addresses: string[]): Promise<boolean> {
  try {
    await eventually(async () => (await feedbackEvents().countDocuments({ address: { $in: addresses }, appliedAt: { $exists: false } })) === 0, 20_000);
    return true;
  } catch {
    return false;
  }
}

/** What an address must look like after a sample whose verdicts about it are `verdicts` (empty: the sample only names it). */
function problemsOf(address: string, verdicts: Set<Verdict>, scope: string | undefined, state: AddressView, recorded: string[]): string[] {
  const problems: string[] = [];
  const expected = [...verdicts].join('/') || 'nothing';
  // Every verdict but `ignored` is stored as an event of that type (ignored events are only counted).
  const missing = [...verdicts].filter((v) => v !== 'ignored' && !recorded.includes(v));
  const extra = recorded.filter((type) => !verdicts.has(type as Verdict));
  if (missing.length > 0 || extra.length > 0) problems.push(`${address}: expected ${expected}, recorded ${recorded.join('/') || 'nothing'}`);
  const suppression = verdicts.has('hard_bounce') ? 'hard_bounce' : verdicts.has('complaint') ? 'complaint' : undefined;
  if (state.suppression?.kind !== suppression) problems.push(`${address}: suppression ${state.suppression?.kind ?? 'none'}, expected ${suppression ?? 'none'} (${expected})`);
  const unsubscribed = Object.entries(state.subscriptions).filter(([, s]) => s === 'unsubscribed').map(([type]) => type);
  if (verdicts.has('unsubscribe') && scope !== undefined && scope !== 'all') {
    if (!unsubscribed.includes(scope)) problems.push(`${address}: not unsubscribed from ${scope}`);
  } else if (verdicts.has('unsubscribe')) {
    // The samples name no message of ours, so no type: the unsubscribe is from everything.
    if (!state.optedOutOfAll) problems.push(`${address}: not opted out of all (unsubscribe)`);
  } else {
    if (state.optedOutOfAll) problems.push(`${address}: opted out of all, expected ${expected}`);
    if (unsubscribed.length > 0) problems.push(`${address}: unsubscribed from ${unsubscribed.join(', ')}, expected ${expected}`);
  }
  return problems;
}

/** Everything the sample's copy did that index.json does not say it must (an empty list: it did what it must). */
async function verdictProblems(sample: RelaySample, copy: LocalizedSample, answer: Answer & { signed?: string }): Promise<string[]> {
  const problems: string[] = [];
  const expected = new Map<string, Set<Verdict>>();
  for (const [original, verdicts] of expectedVerdicts(sample)) {
    const address = copy.addressFor(original);
    if (!copy.addresses.has(address)) problems.push(`index.json names ${original}, which the sample does not contain`);
    expected.set(address, verdicts);
  }
  // Every other address the sample names (other recipients, the sender) must be left alone.
  for (const address of copy.addresses) {
    if (!expected.has(address) && tryNormalizeAddress(address).ok) expected.set(address, new Set());
  }
  if (!(await appliedFor([...expected.keys()]))) problems.push('the feedback worker did not apply the stored events within 20 s');
  for (const [address, verdicts] of expected) {
    // Nothing can be stored or changed about what is not an address (SendGrid's `invalid@invalid`).
    if (!tryNormalizeAddress(address).ok) {
      if ([...verdicts].some((v) => v !== 'ignored')) problems.push(`${address}: expected ${[...verdicts].join('/')}, but it is not a valid address`);
      continue;
    }
    problems.push(...problemsOf(address, verdicts, sample.expect.scope, await stateOf(address), await recordedTypes(address)));
  }
  // SNS control messages: a subscription for a configured topic is confirmed; an unsubscription never visits its SubscribeURL.
  const snsType = sample.layer === 'sns-envelope' && answer.signed ? (JSON.parse(answer.signed) as { Type: string; Token?: string }) : undefined;
  if (snsType) {
    const visited = sns.confirmations.some((query) => query.get('Token') === snsType.Token);
    if (snsType.Type === 'SubscriptionConfirmation' && !visited) problems.push('the SubscriptionConfirmation was not confirmed');
    if (snsType.Type === 'UnsubscribeConfirmation' && visited) problems.push("the UnsubscribeConfirmation's SubscribeURL was visited");
  }
  // What is not acted on is counted, and nothing of it is stored to act on.
  const ignoredOnly = [...expectedVerdicts(sample).values()].every((verdicts) => [...verdicts].every((v) => v === 'ignored'));
  if (ignoredOnly && Number(answer.body.stored ?? 0) > 0) problems.push(`stored ${String(answer.body.stored)} event(s) to act on, for an ignored sample`);
  const notification = snsType === undefined || snsType.Type === 'Notification';
  if (ignoredOnly && notification && !(Number(answer.body.ignored) >= 1)) problems.push('not counted as ignored');
  return problems;
}

/** At most `limit` tasks at a time. */
function limiter(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
const gate = limiter(CONCURRENCY);

describe.each(VENDORS)('%s samples', (vendor) => {
  const cases = SAMPLES.map((sample, serial) => ({ sample, serial, name: `${sample.file} → ${sample.expect.verdict}` })).filter((c) => c.sample.vendor === vendor);

  it.concurrent.for(cases)('$name', async ({ sample, serial }, { expect }) => {
    await gate(async () => {
      const tag = `${RUN}s${serial}`;
      const copy = localizeSample(sampleText(sample), tag, serial);
      const answer = await postSample(sample, copy.text, serial);
      answered.set(sample.file, answer.status);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const problems = await verdictProblems(sample, copy, answer);
      if (problems.length > 0) problems.push(`answered ${JSON.stringify(answer.body)}${await keptUnreadable(tag)}`);
      expect(problems, `${problems.join('; ')} (index.json: ${sample.expect.note ?? 'no note'})`).toEqual([]);
    });
  });
});

describe('the table as a whole', () => {
  it('covers at least 60 samples from at least four sources, and answered none of them 4xx or 5xx', () => {
    const run = SAMPLES.filter((s) => answered.has(s.file));
    expect(run.length).toBeGreaterThanOrEqual(60);
    expect(new Set(run.map(originOf)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(run.map((s) => s.vendor))).toEqual(new Set(VENDORS));
    expect(run.filter((s) => answered.get(s.file)! >= 400).map((s) => `${s.file}: ${answered.get(s.file)}`)).toEqual([]);
  });
});

describe('bad input', () => {
  const errorCode = (answer: Answer) => (answer.body.error as { code?: string } | undefined)?.code;
  const countAll = () => feedbackEvents().countDocuments();
  /** The ignored counter of a provider, by reason. */
  const ignoredByReason = async (provider: string) => {
    const metric = app.ctx.metrics.getSingleMetric('mailgate_feedback_ignored_total');
    const values = metric ? (await metric.get()).values : [];
    return new Map(values.filter((v) => v.labels.provider === provider).map((v) => [String(v.labels.reason), v.value]));
  };
  const fresh = (label: string) => `${label}-${RUN}-${randomBytes(3).toString('hex')}@example.org`;

  it.each([
    // A body cut off in transit, from an authenticated relay.
    ['postmark', (to: string) => postPostmark(`{"RecordType":"Bounce","Type":"HardBounce","Email":"${to}","ID":`), 'malformed_json'],
    ['sendgrid', (to: string) => postSendgrid(`[{"email":"${to}","event":"bounce","type":"bounce"`), 'malformed_json'],
    // Mailgun's legacy webhooks are form-encoded, with a valid signature among the fields.
    ['mailgun', (to: string) => postMailgun(new URLSearchParams({ event: 'failed', severity: 'permanent', recipient: to, ...mailgunSignature(MAILGUN_KEY) }).toString()), 'malformed_json'],
    // SNS signs fields of a JSON document: a body that is not JSON carries no signature to check.
    ['ses', (to: string) => post('/v1/feedback/ses', `Type=Notification&Message=${to}`, { 'content-type': 'text/plain; charset=UTF-8' }), 'sns_malformed_json'],
  ] as const)('%s: a body that is not JSON is answered 400, and nothing is stored', async (_provider, send, code) => {
    const to = fresh('notjson');
    const before = await countAll();
    const answer = await send(to);
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe(code);
    expect(await countAll()).toBe(before);
    expect((await stateOf(to)).suppression).toBeUndefined();
  });

  const UNEXPECTED = '{"hello": [1, 2]}';
  it.each([
    ['ses', () => postSns(sns.sign({ Message: UNEXPECTED }, '2'))],
    ['postmark', () => postPostmark(UNEXPECTED)],
    ['sendgrid', () => postSendgrid(UNEXPECTED)],
    ['mailgun', () => postMailgun(`{"signature":${JSON.stringify(mailgunSignature(MAILGUN_KEY))},"hello":[1,2]}`)],
  ] as const)('%s: a JSON body of an unexpected shape is answered 200, counted as ignored, and kept raw', async (provider, send) => {
    const since = new Date();
    const before = await ignoredByReason(provider);
    const answer = await send();
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ stored: 0, ignored: 1 });
    const after = await ignoredByReason(provider);
    const rose = [...after].filter(([reason, value]) => value > (before.get(reason) ?? 0)).map(([reason]) => reason);
    expect(rose, 'mailgate_feedback_ignored_total reasons that rose').toHaveLength(1);
    const kept = await feedbackEvents().find({ provider, raw: { $regex: 'hello' }, receivedAt: { $gte: since } }).toArray();
    expect(kept, 'a feedback_events record holding the raw body').toHaveLength(1);
    expect(kept[0]).toMatchObject({ type: 'ignored', address: null, appliedAt: expect.any(Date) });
  });

  /** The first hard bounce among each vendor's samples. */
  const hardBounceOf = (vendor: RelayVendor) => SAMPLES.findIndex((s) => s.vendor === vendor && s.expect.verdict === 'hard_bounce');
  it.each([
    ['ses', 'signed with a key that is not the certificate\'s', 403],
    ['postmark', 'with the wrong password', 401],
    ['sendgrid', 'signed with another key', 403],
    ['mailgun', 'signed with another key', 403],
  ] as const)('%s: a hard bounce %s is answered %i, and nothing is stored', async (vendor, _how, status) => {
    const serial = hardBounceOf(vendor);
    const sample = SAMPLES[serial]!;
    const copy = localizeSample(sampleText(sample), `${RUN}x${serial}`, serial);
    const before = await countAll();
    const answer = await postSample(sample, copy.text, serial, true);
    expect(answer.status, sample.file).toBe(status);
    expect(await countAll()).toBe(before);
    for (const original of sample.expect.addresses) {
      const address = copy.addressFor(original);
      expect(await feedbackEvents().countDocuments({ address })).toBe(0);
      expect(await stateOf(address)).toMatchObject({ optedOutOfAll: false, updatedAt: null });
    }
  });
});

describe('event ids', () => {
  it('postmark: two bounces whose IDs differ only beyond 2^53 are two events, and both apply', async () => {
    // Postmark's bounce IDs exceed 2^53 (its docs show 4323372036854775807): read as doubles, these two are one.
    const serial = SAMPLES.findIndex((s) => s.file === 'postmark/bounce-hard.json');
    const sample = SAMPLES[serial]!;
    const copies = ['4323372036854775807', '4323372036854775808'].map((id, i) => {
      const copy = localizeSample(sampleText(sample), `${RUN}id${i}`, serial);
      return { text: mapJsonText(copy.text, { number: (token, key) => (key === 'ID' ? id : token) }), address: copy.addressFor(sample.expect.addresses[0]!) };
    });
    for (const copy of copies) expect((await postPostmark(copy.text)).status).toBe(200);
    expect(await appliedFor(copies.map((c) => c.address))).toBe(true);
    for (const copy of copies) expect((await stateOf(copy.address)).suppression?.kind, copy.address).toBe('hard_bounce');
  });
});
