import { generateKeyPairSync } from 'node:crypto';
import { createServer, type LookupFunction, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsVerifier, parseSnsUrl, snsMessageSchema, snsStringToSign, type SnsVerifierDeps } from '../../src/feedback/verify/index.ts';
import { CERT_PATH, CERT_URL, SNS_HOST, TOPIC_ARN, listenOn443, lookupTo, spareLoopbackAddress, startSnsFake, type SnsFake } from '../helpers/sns-fake.ts';

let fake: SnsFake;
let stranger: SnsFake; // a second "SNS" whose CA nobody trusts
let impostor: SnsFake; // an "SNS" whose signing certificate is issued to another name
let lookups: string[];

/** The fake's lookup, recording each hostname: no lookup means no connection was even attempted. */
const recordingLookup: LookupFunction = (hostname, options, callback) => {
  lookups.push(hostname);
  fake.lookup(hostname, options, callback);
};

function verifier(overrides: Partial<SnsVerifierDeps> = {}): SnsVerifier {
  return new SnsVerifier({ topicArns: [TOPIC_ARN], lookup: recordingLookup, ca: fake.caPem, ...overrides });
}

function tamper(json: string, patch: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), ...patch });
}

const certFetches = (server: SnsFake): number => server.requests.filter((path) => path === CERT_PATH).length;

beforeAll(async () => {
  [fake, stranger, impostor] = await Promise.all([startSnsFake(), startSnsFake(), startSnsFake({ signingCommonName: 'sns.amazonaws.com.evil.example' })]);
});
afterAll(async () => {
  await Promise.all([fake.close(), stranger.close(), impostor.close()]);
});
beforeEach(() => {
  lookups = [];
  fake.requests.length = 0;
  stranger.requests.length = 0;
});

describe('snsStringToSign', () => {
  it('lists the Notification keys in byte order, with Subject only when present', () => {
    const base = { Type: 'Notification', MessageId: 'id-1', TopicArn: 'arn:t', Message: 'a\nb', Timestamp: '2026-01-02T03:04:05.678Z',
      SignatureVersion: '2', Signature: 'AA==', SigningCertURL: 'https://x/y.pem' };
    const withSubject = snsMessageSchema.parse({ ...base, Subject: 'S' });
    expect(snsStringToSign(withSubject)).toBe(
      'Message\na\nb\nMessageId\nid-1\nSubject\nS\nTimestamp\n2026-01-02T03:04:05.678Z\nTopicArn\narn:t\nType\nNotification\n',
    );
    expect(snsStringToSign(snsMessageSchema.parse({ ...base, Subject: null }))).not.toContain('Subject');
  });
});

describe('parseSnsUrl', () => {
  it.each([
    ['certificate', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem'],
    ['certificate', 'https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem'],
    ['certificate', 'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['certificate', 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-0123.pem'],
    ['subscribe', 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e2425'],
  ] as const)('accepts a %s URL as SNS writes it: %s', (purpose, url) => {
    expect(parseSnsUrl(url, purpose)?.href).toBe(url);
  });

  it.each([
    ['an S3 bucket named "sns"', 'https://sns.s3.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['an S3 bucket named "sns", regional legacy host', 'https://sns.s3-us-west-2.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['an S3 bucket named "sns", external-1 host', 'https://sns.s3-external-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['an S3 website host', 'https://sns.s3-website.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['an EC2 host', 'https://sns.compute-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['no region', 'https://sns.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['a .com.cn host outside China', 'https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-0123.pem'],
    ['a lookalike suffix', 'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-0123.pem'],
    ['a lookalike domain', 'https://sns.us-east-1.amazonaws.co/SimpleNotificationService-0123.pem'],
    ['a trailing dot', 'https://sns.us-east-1.amazonaws.com./SimpleNotificationService-0123.pem'],
    ['a query string', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem?x=1'],
    ['an empty query string', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem?'],
    ['a query string that ends in .pem', 'https://sns.us-east-1.amazonaws.com/x?file=SimpleNotificationService-0123.pem'],
    ['a fragment', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem#x'],
    ['a user', 'https://evil@sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['a user and password', 'https://a:b@sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['userinfo that hides another host', `https://${SNS_HOST}@evil.example.com/x.pem`],
    ['a port', 'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-0123.pem'],
    ['port 443 written out (not as SNS writes it)', 'https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-0123.pem'],
    ['upper case (not as SNS writes it)', 'https://SNS.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['a backslash', 'https://sns.us-east-1.amazonaws.com\\SimpleNotificationService-0123.pem'],
    ['a tab the URL parser would drop', 'https://sns.us-east-1.amazon\taws.com/SimpleNotificationService-0123.pem'],
    ['http', 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem'],
    ['a path that is no .pem', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.txt'],
    ['no URL', '/SimpleNotificationService-0123.pem'],
  ])('refuses a certificate URL with %s', (_label, url) => {
    expect(parseSnsUrl(url, 'certificate')).toBeUndefined();
  });

  it.each([
    ['another action', 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:1:t:x'],
    ['another path', 'https://sns.us-east-1.amazonaws.com/x?Action=ConfirmSubscription&Token=t'],
    ['an S3 host', 'https://sns.s3.amazonaws.com/?Action=ConfirmSubscription&Token=t'],
    ['a port', 'https://sns.us-east-1.amazonaws.com:8443/?Action=ConfirmSubscription&Token=t'],
    ['a user', 'https://u@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t'],
    ['a fragment', 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t#x'],
  ])('refuses a SubscribeURL with %s', (_label, url) => {
    expect(parseSnsUrl(url, 'subscribe')).toBeUndefined();
  });
});

describe('SnsVerifier', () => {
  it.each(['1', '2'] as const)('accepts a Notification signed with SignatureVersion %s', async (version) => {
    const body = fake.sign({ Message: '{"notificationType":"Bounce","bounce":{}}', Subject: 'Amazon SES Email Event Notification' }, version);
    const result = await verifier().verify(Buffer.from(body));
    expect(result).toMatchObject({ ok: true, message: { Type: 'Notification', TopicArn: TOPIC_ARN, SignatureVersion: version } });
    if (result.ok) expect(result.message.Message).toBe('{"notificationType":"Bounce","bounce":{}}');
    expect(lookups).toEqual([SNS_HOST]);
  });

  it.each([
    ['Message', { Message: '{"notificationType":"Complaint"}' }],
    ['a Subject it was signed without', { Subject: 'added' }],
    ['Timestamp (one second, still fresh)', { Timestamp: new Date(Date.now() - 1000).toISOString() }],
    ['SignatureVersion', { SignatureVersion: '1' }],
    ['Type', { Type: 'UnsubscribeConfirmation', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/', Token: 't' }],
  ])('refuses a Notification whose %s was changed', async (_field, patch) => {
    const body = tamper(fake.sign({ Timestamp: new Date().toISOString() }, '2'), patch);
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_signature_invalid' });
  });

  it('refuses a message signed by a key other than the certificate’s', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const body = fake.sign({}, '2', { signingKeyPem: privateKey });
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_signature_invalid' });
    expect(certFetches(fake)).toBe(1);
  });

  it('refuses a topic that is not configured, before fetching anything', async () => {
    const body = fake.sign({ TopicArn: 'arn:aws:sns:us-east-1:999999999999:someone-else' }, '2');
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_topic_not_allowed' });
    expect(lookups).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    `http://${SNS_HOST}${CERT_PATH}`,
    'https://evil.example.com/x.pem',
    `https://${SNS_HOST}.evil.com/x.pem`,
    `https://${SNS_HOST}@evil.example.com/x.pem`,
    `https://evil@${SNS_HOST}/x.pem`,
    `https://${SNS_HOST}./x.pem`,
    `https://${SNS_HOST}:8443${CERT_PATH}`,
    `${CERT_URL}?x=1`,
    `https://sns.s3.amazonaws.com${CERT_PATH}`,
    `https://${SNS_HOST}/SimpleNotificationService-xyz.txt`,
    'https://sns.us-east-1.amazonaws.co/x.pem',
    '/SimpleNotificationService-xyz.pem',
  ])('refuses SigningCertURL %s without fetching it', async (url) => {
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: url });
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_cert_url_refused' });
    expect(lookups).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['a CA we do not trust', () => ({ ca: fake.caPem })],
    ['only the public roots', () => ({ ca: undefined })],
  ])('refuses a certificate host whose TLS certificate chains to %s', async (_label, trust) => {
    const body = stranger.sign({}, '2');
    const result = await verifier({ lookup: stranger.lookup, ...trust() }).verify(body);
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sns_cert_untrusted' });
    expect(stranger.requests).toEqual([]); // the TLS handshake failed before any HTTP request
  });

  it('refuses a certificate host whose TLS certificate names another SNS host', async () => {
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: `https://sns.eu-west-1.amazonaws.com${CERT_PATH}` });
    const result = await verifier().verify(body);
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sns_cert_untrusted' });
    if (!result.ok) expect(result.reason).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['two hours old', -2 * 60 * 60_000],
    ['ten minutes in the future', 10 * 60_000],
  ])('refuses a message whose Timestamp is %s, before fetching anything', async (_label, offsetMs) => {
    const body = fake.sign({ Timestamp: new Date(Date.now() + offsetMs).toISOString() }, '2');
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_message_stale' });
    expect(fake.requests).toEqual([]);
  });

  it('honours maxAgeMs: a 59-minute-old message passes the default window but not a 30-minute one', async () => {
    const body = fake.sign({ Timestamp: new Date(Date.now() - 59 * 60_000).toISOString() }, '2');
    expect((await verifier().verify(body)).ok).toBe(true);
    expect(await verifier({ maxAgeMs: 30 * 60_000 }).verify(body)).toMatchObject({ ok: false, code: 'sns_message_stale' });
  });

  it('refuses a signing certificate issued to any name but sns.amazonaws.com, though its host and chain are good', async () => {
    const body = impostor.sign({}, '2');
    const result = await verifier({ lookup: impostor.lookup, ca: impostor.caPem }).verify(body);
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sns_cert_invalid' });
    if (!result.ok) expect(result.reason).toContain('not issued to sns.amazonaws.com');
    expect(certFetches(impostor)).toBe(1); // fetched and read: the refusal is about the certificate itself
  });

  it('refuses a signing certificate that is no longer valid', async () => {
    const later = new Date(Date.now() + 40 * 24 * 60 * 60_000); // the fake's signing certificate lasts 30 days
    const body = fake.sign({ Timestamp: later.toISOString() }, '2');
    expect(await verifier({ now: () => later }).verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_cert_expired' });
  });

  it('fetches each certificate once: later and concurrent messages use the cache', async () => {
    const sns = verifier();
    const results = await Promise.all([1, 2, 3].map(() => sns.verify(fake.sign({}, '2'))));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect((await sns.verify(fake.sign({}, '1'))).ok).toBe(true);
    expect(certFetches(fake)).toBe(1);
    expect((await verifier().verify(fake.sign({}, '2'))).ok).toBe(true); // a new verifier has its own cache
    expect(certFetches(fake)).toBe(2);
  });

  it('refuses a certificate URL that does not answer 200, and does not cache the failure', async () => {
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: `https://${SNS_HOST}/missing.pem` });
    const sns = verifier();
    expect(await sns.verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_cert_invalid' });
    expect(await sns.verify(body)).toMatchObject({ ok: false, code: 'sns_cert_invalid' });
    expect(fake.requests).toEqual(['/missing.pem', '/missing.pem']);
  });

  it('answers 503 when the certificate host cannot be reached, so SNS retries', async () => {
    // Nothing listens on port 443 of a fresh loopback address: the connection is refused.
    const result = await verifier({ lookup: lookupTo(spareLoopbackAddress()) }).verify(fake.sign({}, '2'));
    expect(result).toMatchObject({ ok: false, status: 503, code: 'sns_cert_unavailable' });
    if (!result.ok) expect(result.reason).toContain('ECONNREFUSED');
  });

  it('gives up on a certificate host that never answers once timeoutMs has passed', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never speaks TLS
    const address = await listenOn443(silent);
    try {
      const result = await verifier({ lookup: lookupTo(address), timeoutMs: 200 }).verify(fake.sign({}, '2'));
      expect(result).toMatchObject({ ok: false, status: 503, code: 'sns_cert_unavailable' });
      if (!result.ok) expect(result.reason).toContain('200 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses what an injected fetchCertificate returns when it is not a certificate', async () => {
    const fetched: string[] = [];
    const sns = verifier({ fetchCertificate: (url) => { fetched.push(url.href); return Promise.resolve('<html>hello</html>'); } });
    expect(await sns.verify(fake.sign({}, '2'))).toMatchObject({ ok: false, status: 403, code: 'sns_cert_invalid' });
    expect(fetched).toEqual([fake.certUrl]);
  });

  it.each([
    ['not JSON', 'Type=Notification', 'sns_malformed_json'],
    ['without a Signature', tamper('{}', { Type: 'Notification', MessageId: 'm', TopicArn: TOPIC_ARN, Message: 'x', Timestamp: new Date().toISOString(), SignatureVersion: '2', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/a.pem' }), 'sns_invalid_message'],
    ['an unknown Type', JSON.stringify({ Type: 'Surprise' }), 'sns_invalid_message'],
  ])('answers 400 to a body %s', async (_label, body, code) => {
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 400, code });
  });

  it('answers 400 to SignatureVersion 3 and to a confirmation without its Token', async () => {
    expect(await verifier().verify(tamper(fake.sign({}, '2'), { SignatureVersion: '3' }))).toMatchObject({ ok: false, status: 400 });
    const confirmation = tamper(fake.sign({ Type: 'SubscriptionConfirmation' }, '2'), { Token: undefined });
    expect(await verifier().verify(confirmation)).toMatchObject({ ok: false, status: 400, code: 'sns_invalid_message' });
    expect(fake.requests).toEqual([]);
  });
});
