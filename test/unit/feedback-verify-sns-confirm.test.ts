import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsVerifier, confirmSubscription, snsMessageSchema } from '../../src/feedback/verify/index.ts';
import { TOPIC_ARN, startSnsFake, type SnsFake } from '../helpers/sns-fake.ts';

let fake: SnsFake;
let lookups: string[];
const recordingLookup: LookupFunction = (hostname, options, callback) => {
  lookups.push(hostname);
  fake.lookup(hostname, options, callback);
};

beforeAll(async () => {
  fake = await startSnsFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  lookups = [];
  fake.requests.length = 0;
  fake.confirmations.length = 0;
});

describe('SNS subscription confirmation', () => {
  it.each(['1', '2'] as const)('verifies a SubscriptionConfirmation (v%s) and confirms it at its SubscribeURL', async (version) => {
    const https = { lookup: recordingLookup, ca: fake.caPem };
    const verified = await new SnsVerifier({ topicArns: [TOPIC_ARN], ...https }).verify(fake.sign({ Type: 'SubscriptionConfirmation' }, version));
    expect(verified).toMatchObject({ ok: true, message: { Type: 'SubscriptionConfirmation' } });
    if (!verified.ok || verified.message.Type === 'Notification') throw new Error('expected a verified confirmation');

    const confirmed = await confirmSubscription(verified.message, https);
    expect(confirmed.ok).toBe(true);
    if (confirmed.ok) expect(confirmed.subscriptionArn).toMatch(new RegExp(`^${TOPIC_ARN}:[0-9a-f-]{36}$`));
    expect(fake.confirmations).toHaveLength(1);
    expect(fake.confirmations[0]?.get('Token')).toBe(verified.message.Token);
    expect(fake.confirmations[0]?.get('TopicArn')).toBe(TOPIC_ARN);
  });

  it('does not visit the SubscribeURL of an UnsubscribeConfirmation', async () => {
    const verified = await new SnsVerifier({ topicArns: [TOPIC_ARN], lookup: recordingLookup, ca: fake.caPem })
      .verify(fake.sign({ Type: 'UnsubscribeConfirmation' }, '2'));
    expect(verified).toMatchObject({ ok: true, message: { Type: 'UnsubscribeConfirmation' } });
    if (!verified.ok) throw new Error('expected a verified message');
    const result = await confirmSubscription(verified.message, { lookup: recordingLookup, ca: fake.caPem });
    expect(result).toMatchObject({ ok: false, status: 400, code: 'sns_not_subscription_confirmation' });
    expect(fake.confirmations).toEqual([]);
  });

  it.each([
    'https://evil.example.com/?Action=ConfirmSubscription&Token=t',
    'http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
    'https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription&Token=t',
  ])('refuses to visit SubscribeURL %s', async (subscribeUrl) => {
    const message = snsMessageSchema.parse({ ...(JSON.parse(fake.sign({ Type: 'SubscriptionConfirmation' }, '2')) as object), SubscribeURL: subscribeUrl });
    const result = await confirmSubscription(message, { lookup: recordingLookup, ca: fake.caPem });
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sns_subscribe_url_refused' });
    expect(lookups).toEqual([]);
  });

  it('reports 503 when the SubscribeURL host is not trusted, so SNS sends the confirmation again', async () => {
    const message = snsMessageSchema.parse(JSON.parse(fake.sign({ Type: 'SubscriptionConfirmation' }, '2')));
    const result = await confirmSubscription(message, { lookup: recordingLookup }); // the fake's CA is not trusted here
    expect(result).toMatchObject({ ok: false, status: 503, code: 'sns_confirm_failed' });
    expect(fake.confirmations).toEqual([]);
  });
});
