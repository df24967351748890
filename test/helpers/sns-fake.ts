// Amazon SNS played by a local HTTPS server speaking its documented format, with real RSA
// signatures and a real certificate chain (test/helpers/test-ca.ts). The verifier under test
// reaches it through an injected DNS lookup and trusts its CA through the `ca` option: the same
// settings an operator would use, not a way around verification.
//
// SNS URLs carry no port and mailgate refuses any that does, so the fake listens on port 443, each
// on a loopback address of its own (127.x.y.z) so that several run at once. Binding 443 needs root
// or CAP_NET_BIND_SERVICE (CI runs as root), or `sysctl net.ipv4.ip_unprivileged_port_start=443`.
import { randomBytes, randomInt, randomUUID, sign as rsaSign } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction, Server as NetServer } from 'node:net';
import { createTestCa } from './test-ca.ts';

export const SNS_HOST = 'sns.us-east-1.amazonaws.com';
export const CERT_PATH = '/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
export const CERT_URL = `https://${SNS_HOST}${CERT_PATH}`;
/** SNS's certificates are issued to this name, and the verifier checks it. */
export const SNS_SIGNING_NAME = 'sns.amazonaws.com';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:mailgate-feedback';

type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SignInput {
  Type?: SnsType;
  Message?: string;
  Subject?: string;
  TopicArn?: string;
  Timestamp?: string;
  MessageId?: string;
}

export interface SignOptions {
  /** Sign with this RSA key (PEM) instead of the key of the certificate the fake serves. */
  signingKeyPem?: string;
}

export interface SnsFake {
  /** The loopback address it listens on, port 443. */
  address: string;
  caPem: string;
  certUrl: string;
  /** Resolves every *.amazonaws.com name to this fake and nothing else: tests make no outside calls. */
  lookup: LookupFunction;
  /** Every request path (with query) the fake received, in order. */
  requests: string[];
  /** The query strings of ConfirmSubscription calls. */
  confirmations: URLSearchParams[];
  sign(input: SignInput, version: '1' | '2', options?: SignOptions): string;
  close(): Promise<void>;
}

/** A DNS lookup that sends every *.amazonaws.com name to `address` and finds no other name. */
export function lookupTo(address: string): LookupFunction {
  return (hostname, options, callback) => {
    if (!hostname.endsWith('.amazonaws.com')) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '', 4);
      return;
    }
    // Node 20 connects with autoSelectFamily, which asks for all addresses.
    if (options.all === true) callback(null, [{ address, family: 4 } satisfies LookupAddress]);
    else callback(null, address, 4);
  };
}

/** A loopback address nobody else is likely to use (Linux routes all of 127/8 to the loopback interface). */
export function spareLoopbackAddress(): string {
  return `127.${String(randomInt(1, 255))}.${String(randomInt(0, 256))}.${String(randomInt(1, 255))}`;
}

/** Listens on port 443 of a spare loopback address; another test file may hold the first one drawn. */
export async function listenOn443(server: NetServer): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    const address = spareLoopbackAddress();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(443, address, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return address;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES') {
        throw new Error('the fake SNS must listen on port 443 (SNS URLs carry no port): run the tests as root, or allow it with `sysctl net.ipv4.ip_unprivileged_port_start=443`', { cause: error });
      }
      if (code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

/**
 * The string SNS signs, written here from the AWS docs ("Verifying the signatures of Amazon SNS
 * messages") rather than imported, so a mistake in the production builder cannot hide in both.
 */
function canonical(message: Record<string, string | undefined>): string {
  const keys = message.Type === 'Notification'
    ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let text = '';
  for (const key of keys) {
    const value = message[key];
    if (value !== undefined) text += `${key}\n${value}\n`;
  }
  return text;
}

export interface SnsFakeOptions {
  signingCertDays?: number;
  /** The subject CN of the certificate that signs messages: SNS's is `sns.amazonaws.com`. */
  signingCommonName?: string;
}

export async function startSnsFake(options: SnsFakeOptions = {}): Promise<SnsFake> {
  const ca = createTestCa('mailgate fake SNS CA');
  // As with real SNS, the TLS certificate names the host and a separate certificate, issued to
  // sns.amazonaws.com, signs messages.
  const tls = ca.issue({ commonName: SNS_HOST, dnsNames: [SNS_HOST] });
  const signing = ca.issue({ commonName: options.signingCommonName ?? SNS_SIGNING_NAME, days: options.signingCertDays ?? 30 });
  ca.dispose();

  const requests: string[] = [];
  const confirmations: URLSearchParams[] = [];
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${SNS_HOST}`);
    requests.push(url.pathname + url.search);
    if (req.method === 'GET' && url.pathname === CERT_PATH) {
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(signing.certPem);
    } else if (req.method === 'GET' && url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      confirmations.push(url.searchParams);
      const arn = `${url.searchParams.get('TopicArn') ?? ''}:${randomUUID()}`;
      res.writeHead(200, { 'content-type': 'text/xml' }).end(
        `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n` +
          `  <ConfirmSubscriptionResult>\n    <SubscriptionArn>${arn}</SubscriptionArn>\n  </ConfirmSubscriptionResult>\n` +
          `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</ConfirmSubscriptionResponse>\n`,
      );
    } else {
      res.writeHead(404).end();
    }
  });
  const address = await listenOn443(server);
  const origin = `https://${SNS_HOST}`;
  const certUrl = CERT_URL;

  const sign = (input: SignInput, version: '1' | '2', signOptions: SignOptions = {}): string => {
    const type = input.Type ?? 'Notification';
    const topicArn = input.TopicArn ?? TOPIC_ARN;
    const base = {
      MessageId: input.MessageId ?? randomUUID(),
      TopicArn: topicArn,
      Timestamp: input.Timestamp ?? new Date().toISOString(),
      SignatureVersion: version,
      Signature: '',
      SigningCertURL: certUrl,
    };
    let message: Record<string, string | undefined>;
    if (type === 'Notification') {
      message = { Type: type, ...base, Message: input.Message ?? '{"notificationType":"Bounce"}', Subject: input.Subject,
        UnsubscribeURL: `${origin}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${randomUUID()}` };
    } else {
      const token = randomBytes(64).toString('hex');
      message = { Type: type, ...base, Token: token,
        Message: input.Message ?? `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}` };
    }
    const algorithm = version === '1' ? 'sha1' : 'sha256';
    message.Signature = rsaSign(algorithm, Buffer.from(canonical(message), 'utf8'), signOptions.signingKeyPem ?? signing.keyPem).toString('base64');
    return JSON.stringify(message);
  };

  return {
    address,
    caPem: ca.certPem,
    certUrl,
    lookup: lookupTo(address),
    requests,
    confirmations,
    sign,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
