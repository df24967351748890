import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsVerifier, snsMessageSchema, snsStringToSign, type SnsVerifierDeps } from '../../src/feedback/verify/index.ts';
import { CERT_PATH, SNS_HOST, TOPIC_ARN, startSnsFake, type SnsFake } from '../helpers/sns-fake.ts';

let fake: SnsFake;
let stranger: SnsFake; // a second "SNS" whose CA nobody trusts
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
  [fake, stranger] = await Promise.all([startSnsFake(), startSnsFake()]);
});
afterAll(async () => {
  await Promise.all([fake.close(), stranger.close()]);
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
    `http://${SNS_HOST}:PORT${CERT_PATH}`,
    'https://evil.example.com/x.pem',
    `https://${SNS_HOST}.evil.com/x.pem`,
    `https://${SNS_HOST}@evil.example.com/x.pem`,
    `https://evil@${SNS_HOST}/x.pem`,
    `https://${SNS_HOST}./x.pem`,
    `https://${SNS_HOST}:PORT/SimpleNotificationService-xyz.txt`,
    'https://sns.us-east-1.amazonaws.co/x.pem',
    '/SimpleNotificationService-xyz.pem',
  ])('refuses SigningCertURL %s without fetching it', async (url) => {
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: url.replace('PORT', String(fake.port)) });
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_cert_url_refused' });
    expect(lookups).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['a CA we do not trust', () => ({ ca: fake.caPem })],
    ['only the public roots', () => ({ ca: undefined })],
  ])('refuses a certificate host whose TLS certificate chains to %s', async (_label, trust) => {
    const body = stranger.sign({}, '2'); // SigningCertURL points at the stranger's port
    const result = await verifier(trust()).verify(body);
    expect(result).toMatchObject({ ok: false, status: 403, code: 'sns_cert_untrusted' });
    expect(stranger.requests).toEqual([]); // the TLS handshake failed before any HTTP request
  });

  it('refuses a certificate host whose TLS certificate names another SNS host', async () => {
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: `https://sns.eu-west-1.amazonaws.com:${String(fake.port)}${CERT_PATH}` });
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
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: `https://${SNS_HOST}:${String(fake.port)}/missing.pem` });
    const sns = verifier();
    expect(await sns.verify(body)).toMatchObject({ ok: false, status: 403, code: 'sns_cert_invalid' });
    expect(await sns.verify(body)).toMatchObject({ ok: false, code: 'sns_cert_invalid' });
    expect(fake.requests).toEqual(['/missing.pem', '/missing.pem']);
  });

  it('answers 503 when the certificate host cannot be reached, so SNS retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const body = tamper(fake.sign({}, '2'), { SigningCertURL: `https://${SNS_HOST}:${String(port)}${CERT_PATH}` });
    expect(await verifier().verify(body)).toMatchObject({ ok: false, status: 503, code: 'sns_cert_unavailable' });
  });

  it('gives up on a certificate host that never answers once timeoutMs has passed', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never speaks TLS
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const body = tamper(fake.sign({}, '2'), { SigningCertURL: `https://${SNS_HOST}:${String(port)}${CERT_PATH}` });
      const result = await verifier({ timeoutMs: 200 }).verify(body);
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
