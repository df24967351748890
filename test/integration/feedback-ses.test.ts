import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentEventView } from '../../src/subscriptions/index.ts';
import { startTestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/api-client.ts';
import { testConfig } from '../helpers/env.ts';
import { eventually } from '../helpers/processes.ts';
import { CERT_PATH, SNS_HOST, TOPIC_ARN, startSnsFake, type SnsFake } from '../helpers/sns-fake.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

// Relay feedback over HTTP (docs/feedback.md): Amazon SES through a local SNS that signs with
// a real certificate chain, feedback that names a message we sent, and the sources this server
// leaves unconfigured. feedback-postmark-sendgrid-mailgun.test.ts covers Postmark, SendGrid, Mailgun, the
// generic endpoint and the suppression list. The app runs with the worker role: it applies feedback.
const FIXTURES = resolve(import.meta.dirname, '../fixtures/feedback');
const RELAY_SAMPLES = resolve(import.meta.dirname, '../fixtures/relays/ses');
const MAIL_DOMAIN = 'mailgate.example';

let sink: SmtpSink;
let sns: SnsFake;
let app: Awaited<ReturnType<typeof startTestApp>>;
let seq = 0;
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${seq++}@example.org`;

/** A fixture's text with each named address replaced (the fixtures use example addresses). */
const fixture = (file: string, replace: Record<string, string> = {}): string => {
  let text = readFileSync(resolve(FIXTURES, file), 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  return text;
};

const { api, status, settled, send } = apiClient(() => app);

/** POSTs to a relay receiver as the relay does (no API key). */
const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: res.headers };
};
const postSns = (body: string) => post('/v1/feedback/ses', body, { 'x-amz-sns-message-type': (JSON.parse(body) as { Type: string }).Type });

const stateOf = async (address: string) => (await api('GET', `/v1/addresses/${encodeURIComponent(address)}`)).body;
const historyOf = async (address: string) => (await api('GET', `/v1/addresses/${encodeURIComponent(address)}/history`)).body as unknown as ConsentEventView[];
const feedbackEvents = () => app.ctx.db.collection('feedback_events');
/** Waits until the worker has applied every stored feedback event for each address (at least one each). */
const appliedFor = (...addresses: string[]) =>
  eventually(async () => {
    for (const address of addresses) {
      const stored = await feedbackEvents().countDocuments({ address });
      const applied = await feedbackEvents().countDocuments({ address, appliedAt: { $exists: true } });
      if (stored === 0 || applied < stored) return false;
    }
    return true;
  });
const errorCode = (body: Record<string, unknown>) => (body.error as { code?: string } | undefined)?.code;


/** One of the relays' documented SES samples (test/fixtures/relays/ses), each named address replaced. */
const relaySample = (file: string, replace: Record<string, string> = {}): string => {
  let text = readFileSync(resolve(RELAY_SAMPLES, file), 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  return text;
};
/** How many SES events were counted as ignored for this reason so far. */
const ignoredCount = async (reason: string) => {
  const text = await app.ctx.metrics.getSingleMetricAsString('mailgate_feedback_ignored_total');
  return Number(new RegExp(`^mailgate_feedback_ignored_total\\{[^}]*provider="ses"[^}]*reason="${reason}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};

/** The permanent-bounce fixture naming these addresses as recipient1, recipient2 (bounced) and recipient3 (not). */
const permanentBounce = (r1: string, r2: string, r3 = fresh('unbounced')) =>
  fixture('ses-bounce-permanent.json', { 'recipient1@example.org': r1, 'recipient2@example.org': r2, 'recipient3@example.org': r3 });
const FEEDBACK_ID = (JSON.parse(fixture('ses-bounce-permanent.json')) as { bounce: { feedbackId: string } }).bounce.feedbackId;

beforeAll(async () => {
  [sink, sns] = await Promise.all([startSmtpSink(), startSnsFake()]);
  app = await startTestApp(
    // Only SES is configured here: Postmark, SendGrid and Mailgun are left unset on purpose.
    testConfig('feedbackweb1', { SMTP_URL: sink.url, MAIL_FROM: `News <news@${MAIL_DOMAIN}>`, FEEDBACK_SES_TOPIC_ARNS: TOPIC_ARN }),
    { api: true, worker: true },
    { snsHttps: { lookup: sns.lookup, ca: sns.caPem } },
  );
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([sink?.close(), sns?.close()]);
});

describe('Amazon SES through SNS', () => {
  it('confirms a SubscriptionConfirmation for the configured topic by visiting its SubscribeURL', async () => {
    const before = sns.confirmations.length;
    const body = sns.sign({ Type: 'SubscriptionConfirmation' }, '2');
    const res = await postSns(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ confirmed: true });
    expect(sns.confirmations).toHaveLength(before + 1);
    const call = sns.confirmations.at(-1)!;
    expect(call.get('TopicArn')).toBe(TOPIC_ARN);
    expect(call.get('Token')).toBe((JSON.parse(body) as { Token: string }).Token);
  });

  it.each(['1', '2'] as const)('suppresses each bounced recipient of a permanent bounce (SignatureVersion %s)', async (version) => {
    const [r1, r2, r3] = [fresh(`gone${version}a`), fresh(`gone${version}b`), fresh(`kept${version}`)];
    const res = await postSns(sns.sign({ Message: permanentBounce(r1, r2, r3) }, version));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 2, stored: 2, replayed: 0 });
    await appliedFor(r1, r2);
    for (const address of [r1, r2]) {
      expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
      const history = await historyOf(address);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        source: 'bounce',
        after: { suppression: expect.objectContaining({ kind: 'hard_bounce' }) },
        feedback: { provider: 'ses', eventId: `${FEEDBACK_ID}:${address}`, statusCode: '5.1.1', diagnostic: expect.stringContaining('user unknown') },
      });
    }
    // In the notification's destination, but SES did not report it bounced.
    expect((await stateOf(r3)).suppression).toBeUndefined();
    expect(await feedbackEvents().countDocuments({ address: r3 })).toBe(0);
  });

  it('changes nothing when the same notification is delivered again', async () => {
    const [r1, r2] = [fresh('twice-a'), fresh('twice-b')];
    const body = sns.sign({ Message: permanentBounce(r1, r2) }, '2');
    expect((await postSns(body)).status).toBe(200);
    await appliedFor(r1, r2);
    const [history1, appliedAt] = [await historyOf(r1), (await feedbackEvents().findOne({ address: r1 }))?.appliedAt as Date | undefined];
    expect(history1).toHaveLength(1);

    const again = await postSns(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ received: 2, stored: 0, replayed: 2 });
    expect(await feedbackEvents().countDocuments({ address: { $in: [r1, r2] } })).toBe(2);
    expect((await feedbackEvents().findOne({ address: r1 }))?.appliedAt).toEqual(appliedAt);
    expect(await historyOf(r1)).toEqual(history1);
    expect(await historyOf(r2)).toHaveLength(1);
  });

  it('refuses a notification whose Message was altered after signing (403) and stores nothing', async () => {
    const [signedFor, victim] = [fresh('signed'), fresh('victim')];
    const signed = JSON.parse(sns.sign({ Message: permanentBounce(signedFor, fresh('other')) }, '2')) as Record<string, string>;
    const tampered = JSON.stringify({ ...signed, Message: signed.Message!.replaceAll(signedFor, victim) });
    const res = await postSns(tampered);
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('sns_signature_invalid');
    expect(await feedbackEvents().countDocuments({ address: { $in: [signedFor, victim] } })).toBe(0);
    expect((await stateOf(victim)).suppression).toBeUndefined();
  });

  it('refuses a topic that is not configured (403), even correctly signed', async () => {
    const address = fresh('othertopic');
    const body = sns.sign({ Message: permanentBounce(address, fresh('x')), TopicArn: 'arn:aws:sns:us-east-1:123456789012:someone-else' }, '2');
    const res = await postSns(body);
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('sns_topic_not_allowed');
    expect(await feedbackEvents().countDocuments({ address })).toBe(0);
  });

  it('never fetches a SigningCertURL that is not exactly https on an SNS host (403)', async () => {
    const address = fresh('certurl');
    const signed = JSON.parse(sns.sign({ Message: permanentBounce(address, fresh('x')) }, '2')) as Record<string, string>;
    const before = sns.requests.length;
    // The fake's lookup resolves every *.amazonaws.com name to itself: only the host rule keeps these away.
    for (const certUrl of [
      `https://s3.amazonaws.com/SimpleNotificationService-other.pem`,
      `https://sns.s3.amazonaws.com${CERT_PATH}`, // the S3 bucket named "sns"
      `https://${SNS_HOST}.attacker.example${CERT_PATH}`,
      `http://${SNS_HOST}/SimpleNotificationService-plain.pem`,
      `https://${SNS_HOST}${CERT_PATH}?from=elsewhere`,
      `https://${SNS_HOST}:8443${CERT_PATH}`,
    ]) {
      const res = await postSns(JSON.stringify({ ...signed, SigningCertURL: certUrl }));
      expect(res.status, certUrl).toBe(403);
      expect(errorCode(res.body), certUrl).toBe('sns_cert_url_refused');
    }
    expect(sns.requests.slice(before)).toEqual([]);
    expect(await feedbackEvents().countDocuments({ address })).toBe(0);
  });

  it('suppresses the recipient of a complaint with `complaint`', async () => {
    const address = fresh('complainer');
    const res = await postSns(sns.sign({ Message: fixture('ses-complaint-abuse.json', { 'complainer@example.com': address }) }, '1'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 1 });
    await appliedFor(address);
    expect((await stateOf(address)).suppression).toMatchObject({ kind: 'complaint', source: 'complaint' });
    expect((await historyOf(address)).at(-1)).toMatchObject({ source: 'complaint', feedback: { provider: 'ses', eventId: expect.stringContaining(address) } });
  });

  it('does not suppress for a transient bounce (mailbox full): it is only counted', async () => {
    const address = fresh('full');
    const res = await postSns(sns.sign({ Message: fixture('ses-bounce-transient-mailbox-full.json', { 'full@example.net': address }) }, '2'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 1 });
    await appliedFor(address);
    expect(await feedbackEvents().findOne({ address })).toMatchObject({ type: 'soft_bounce', provider: 'ses' });
    expect((await stateOf(address)).suppression).toBeUndefined();
    expect(await historyOf(address)).toEqual([]);
  });
});

describe('Amazon SES: what the relay documents, read tolerantly (#20)', () => {
  it('answers the topic-validated text and an inbound Received notification 200, counts them, and changes nothing', async () => {
    const inbound = fresh('inbound');
    const before = await feedbackEvents().countDocuments();
    const [validatedBefore, inboundBefore] = [await ignoredCount('topic_validated'), await ignoredCount('not_feedback')];

    const validated = await postSns(sns.sign({ Message: 'Successfully validated SNS topic for Amazon SES event publishing.' }, '1'));
    expect(validated.status).toBe(200);
    expect(validated.body).toEqual({ received: 1, stored: 0, replayed: 0, ignored: 1 });
    const received = await postSns(sns.sign({ Message: relaySample('received-sns-action.json', { 'recipient@example.com': inbound }), Subject: 'Amazon SES Email Receipt Notification' }, '2'));
    expect(received.status).toBe(200);
    expect(received.body).toEqual({ received: 1, stored: 0, replayed: 0, ignored: 1 });

    expect(await ignoredCount('topic_validated')).toBe(validatedBefore + 1);
    expect(await ignoredCount('not_feedback')).toBe(inboundBefore + 1);
    expect(await feedbackEvents().countDocuments()).toBe(before);
    expect(await stateOf(inbound)).not.toHaveProperty('suppression');
    expect(await historyOf(inbound)).toEqual([]);
  });

  it('suppresses both recipients of a bounce without a DSN (no action, status or diagnostic)', async () => {
    const [jane, richard, mary] = [fresh('nodsn-jane'), fresh('nodsn-richard'), fresh('nodsn-mary')];
    const message = relaySample('bounce-permanent-no-dsn.json', { 'jane@example.com': jane, 'richard@example.com': richard, 'mary@example.com': mary });
    const res = await postSns(sns.sign({ Message: message }, '2'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 2, stored: 2, replayed: 0, ignored: 0 });
    await appliedFor(jane, richard);
    for (const address of [jane, richard]) {
      expect((await stateOf(address)).suppression).toMatchObject({ kind: 'hard_bounce', source: 'bounce' });
      expect((await historyOf(address)).at(-1)).toMatchObject({ feedback: { provider: 'ses', eventId: `00000137860315fd-869464a4-8680-4114-98d3-716fe35851f9-000000:${address}` } });
    }
    // In the message's destination, but not among the bounced recipients.
    expect((await stateOf(mary)).suppression).toBeUndefined();
  });

  it('suppresses a recipient SES writes with a display name, under the bare address', async () => {
    const john = fresh('john');
    const message = relaySample('event-bounce-display-name-recipient.json', { 'john@example.com': john });
    expect(message).toContain(`"John <${john}>"`);
    expect((await postSns(sns.sign({ Message: message }, '2'))).body).toMatchObject({ received: 1, stored: 1 });
    await appliedFor(john);
    expect((await stateOf(john)).suppression).toMatchObject({ kind: 'hard_bounce' });
  });

  it('an unsubscribeAll from SES list management opts out of all marketing, not only the type of the message it names', async () => {
    const to = fresh('listmgmt');
    const id = await send('marketing', to);
    expect(await settled(id)).toMatchObject({ status: 'sent' });
    const headerMessageId = sink.to(to)[0]!.header('message-id')!;
    const event = JSON.parse(relaySample('event-subscription.json', { 'recipient@example.com': to })) as { mail: { headers: { name: string; value: string }[] } };
    // As SES publishes it: its own id in commonHeaders.messageId, ours only in the headers.
    event.mail.headers.push({ name: 'Message-ID', value: headerMessageId });
    const res = await postSns(sns.sign({ Message: JSON.stringify(event) }, '2'));
    expect(res.body).toMatchObject({ received: 1, stored: 1 });
    await appliedFor(to);
    expect(await stateOf(to)).toMatchObject({ optedOutOfAll: true });
    expect((await historyOf(to)).at(-1)).toMatchObject({ source: 'provider', messageId: id, feedback: { provider: 'ses' } });
    expect(await settled(await send('marketing', to))).toMatchObject({ status: 'suppressed' });
  });

  it('a topic opt-out unsubscribes from the subscription type of that name, and from all marketing when no type has it', async () => {
    const [named, unnamed] = [fresh('topic-newsletter'), fresh('topic-other')];
    const optOut = (address: string, topicName: string) => {
      const event = JSON.parse(relaySample('event-subscription.json', { 'recipient@example.com': address })) as { subscription: Record<string, unknown> };
      event.subscription.newTopicPreferences = { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName, subscriptionStatus: 'OptOut' }] };
      event.subscription.oldTopicPreferences = { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName, subscriptionStatus: 'OptIn' }] };
      return postSns(sns.sign({ Message: JSON.stringify(event) }, '2'));
    };
    expect((await optOut(named, 'newsletter')).body).toMatchObject({ stored: 1 });
    expect((await optOut(unnamed, 'ExampleTopicName')).body).toMatchObject({ stored: 1 });
    await appliedFor(named, unnamed);
    expect(await stateOf(named)).toMatchObject({ optedOutOfAll: false, subscriptions: { newsletter: 'unsubscribed' } });
    expect(await stateOf(unnamed)).toMatchObject({ optedOutOfAll: true });
  });
});

describe('feedback that names a message we sent', () => {
  it('moves the message to bounced, and suppresses later marketing and transactional mail to the address', async () => {
    const to = fresh('linked');
    const id = await send('marketing', to);
    expect(await settled(id)).toMatchObject({ status: 'sent' });
    const headerMessageId = sink.to(to)[0]!.header('message-id');
    expect(headerMessageId).toBe(`<${id}.${app.ctx.messageTags.tag(id)}@${MAIL_DOMAIN}>`);

    const notification = JSON.parse(fixture('ses-bounce-permanent.json')) as {
      bounce: { bouncedRecipients: { emailAddress: string }[] };
      mail: { destination: string[]; commonHeaders: { to: string[]; messageId: string } };
    };
    notification.bounce.bouncedRecipients = [{ ...notification.bounce.bouncedRecipients[0]!, emailAddress: to }];
    notification.mail.destination = [to];
    notification.mail.commonHeaders.to = [to];
    notification.mail.commonHeaders.messageId = headerMessageId!;
    expect((await postSns(sns.sign({ Message: JSON.stringify(notification) }, '2'))).status).toBe(200);

    const bounced = await eventually(async () => {
      const view = await status(id);
      return view.status === 'bounced' ? view : undefined;
    });
    expect(bounced.feedback).toMatchObject({ type: 'hard_bounce', provider: 'ses', statusCode: '5.1.1', at: expect.any(String) });
    expect((await historyOf(to)).at(-1)).toMatchObject({ source: 'bounce', messageId: id, feedback: { provider: 'ses' } });

    const next = await send('marketing', to);
    const receipt = await send('transactional', to);
    expect(await settled(next)).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(await settled(receipt)).toMatchObject({ status: 'suppressed', reason: 'hard_bounce' });
    expect(sink.to(to)).toHaveLength(1);
  });
});

describe('a source this server has not configured', () => {
  it.each([
    ['postmark', fixture('postmark-bounce-hard.json')],
    ['sendgrid', fixture('sendgrid-events.json')],
    ['mailgun', fixture('mailgun-failed-permanent.json')],
  ])('refuses every request to /v1/feedback/%s with 403 feedback_source_not_configured', async (source, body) => {
    const before = await feedbackEvents().countDocuments();
    const res = await post(`/v1/feedback/${source}`, body, { 'content-type': 'application/json', authorization: 'Basic cG9zdG1hcms6d2hhdGV2ZXIx' });
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('feedback_source_not_configured');
    expect(await feedbackEvents().countDocuments()).toBe(before);
  });
});
