// Amazon SNS played by a local HTTPS server speaking its documented format, with real RSA
// signatures and a real certificate chain (test/helpers/test-ca.ts). The verifier under test
// reaches it through an injected DNS lookup and trusts its CA through the `ca` option: the same
// settings an operator would use, not a way around verification.
import { randomBytes, randomUUID, sign as rsaSign } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo, LookupFunction } from 'node:net';
import { createTestCa } from './test-ca.ts';

export const SNS_HOST = 'sns.us-east-1.amazonaws.com';
export const CERT_PATH = '/SimpleNotificationService-xyz.pem';
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
  port: number;
  caPem: string;
  certUrl: string;
  /** Resolves every *.amazonaws.com name to 127.0.0.1 and nothing else: tests make no outside calls. */
  lookup: LookupFunction;
  /** Every request path (with query) the fake received, in order. */
  requests: string[];
  /** The query strings of ConfirmSubscription calls. */
  confirmations: URLSearchParams[];
  sign(input: SignInput, version: '1' | '2', options?: SignOptions): string;
  close(): Promise<void>;
}

export const localLookup: LookupFunction = (hostname, options, callback) => {
  if (!hostname.endsWith('.amazonaws.com')) {
    const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    error.code = 'ENOTFOUND';
    callback(error, '', 4);
    return;
  }
  // Node 20 connects with autoSelectFamily, which asks for all addresses.
  if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 } satisfies LookupAddress]);
  else callback(null, '127.0.0.1', 4);
};

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

export async function startSnsFake(options: { signingCertDays?: number } = {}): Promise<SnsFake> {
  const ca = createTestCa('mailgate fake SNS CA');
  // As with real SNS, the TLS certificate names the host and a separate certificate signs messages.
  const tls = ca.issue({ commonName: SNS_HOST, dnsNames: [SNS_HOST] });
  const signing = ca.issue({ commonName: 'sns.amazonaws.com', days: options.signingCertDays ?? 30 });
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `https://${SNS_HOST}:${String(port)}`;
  const certUrl = `${origin}${CERT_PATH}`;

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
    port,
    caPem: ca.certPem,
    certUrl,
    lookup: localLookup,
    requests,
    confirmations,
    sign,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
