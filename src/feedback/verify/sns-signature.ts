import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { isFresh } from './freshness.ts';
import { HttpsFetchError, httpsGetText, type HttpsFetchOptions } from './https-get.ts';
import { snsMessageSchema, snsStringToSign, type SnsMessage } from './sns-message.ts';
import { parseSnsUrl } from './sns-url.ts';
import { refuse, type VerifyRefusal } from './verify-result.ts';

export interface SnsVerifierDeps extends HttpsFetchOptions {
  /** The only topics whose messages are accepted (docs/feedback.md: the operator configures them). */
  topicArns: readonly string[];
  /** Returns the PEM at an already-vetted SNS certificate URL. Default: an HTTPS GET. */
  fetchCertificate?: (url: URL) => Promise<string>;
  now?: () => Date;
  /** Messages whose own Timestamp is older than this are refused as replays. Default 1 hour. */
  maxAgeMs?: number;
}

export type SnsVerifyResult = { ok: true; message: SnsMessage } | VerifyRefusal;

/** A real SNS signing certificate is under 2 KB; anything much larger is not one. */
export const MAX_CERTIFICATE_BYTES = 10 * 1024;
export const DEFAULT_SNS_MAX_AGE_MS = 60 * 60_000;
const CERTIFICATE_CACHE_SIZE = 20;
const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';
/** Every SNS signing certificate is issued to this name. */
const SNS_CERTIFICATE_NAME = 'sns.amazonaws.com';

/**
 * Checks that a POST really comes from Amazon SNS for one of our topics, before anything is stored
 * (docs/feedback.md). Order matters: everything that needs no network (shape, certificate URL, topic,
 * age) is refused first, so a forged request cannot make us fetch anything but an SNS certificate.
 */
export class SnsVerifier {
  private readonly topics: ReadonlySet<string>;
  private readonly fetchCertificate: (url: URL) => Promise<string>;
  private readonly now: () => Date;
  private readonly maxAgeMs: number;
  // SNS signs with a handful of certificates; caching them keeps verification off the network.
  private readonly certificates = new LRUCache<string, Promise<X509Certificate>>({ max: CERTIFICATE_CACHE_SIZE });

  constructor(deps: SnsVerifierDeps) {
    this.topics = new Set(deps.topicArns);
    const https: HttpsFetchOptions = { lookup: deps.lookup, ca: deps.ca, timeoutMs: deps.timeoutMs };
    this.fetchCertificate = deps.fetchCertificate ?? ((url) => httpsGetText(url, MAX_CERTIFICATE_BYTES, https));
    this.now = deps.now ?? (() => new Date());
    this.maxAgeMs = deps.maxAgeMs ?? DEFAULT_SNS_MAX_AGE_MS;
  }

  async verify(rawBody: string | Buffer): Promise<SnsVerifyResult> {
    let json: unknown;
    try {
      json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
    } catch {
      return refuse(400, 'sns_malformed_json', 'the body is not JSON');
    }
    const parsed = snsMessageSchema.safeParse(json);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      return refuse(400, 'sns_invalid_message', `not an SNS message: ${fields.join(', ')}`);
    }
    const message = parsed.data;

    const certUrl = parseSnsUrl(message.SigningCertURL, 'certificate');
    if (certUrl === undefined) return refuse(403, 'sns_cert_url_refused', 'SigningCertURL is not an https .pem URL on an SNS host');
    if (!this.topics.has(message.TopicArn)) return refuse(403, 'sns_topic_not_allowed', 'TopicArn is not a configured topic');
    const now = this.now();
    if (!isFresh(Date.parse(message.Timestamp), now.getTime(), this.maxAgeMs)) {
      return refuse(403, 'sns_message_stale', 'Timestamp is outside the accepted window');
    }

    let certificate: X509Certificate;
    try {
      certificate = await this.certificate(certUrl);
    } catch (error) {
      return certificateRefusal(error);
    }
    if (now.getTime() < Date.parse(certificate.validFrom) || now.getTime() > Date.parse(certificate.validTo)) {
      return refuse(403, 'sns_cert_expired', 'the signing certificate is not valid now');
    }
    // The URL rule proves the host; the subject proves the host served SNS's own certificate.
    if (!issuedToSns(certificate)) return refuse(403, 'sns_cert_invalid', `the signing certificate is not issued to ${SNS_CERTIFICATE_NAME}`);
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') return refuse(403, 'sns_cert_invalid', 'the signing certificate has no RSA key');

    const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
    let valid = false;
    try {
      valid = verifySignature(algorithm, Buffer.from(snsStringToSign(message), 'utf8'), certificate.publicKey, Buffer.from(message.Signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return refuse(403, 'sns_signature_invalid', 'the signature does not match the message');
    return { ok: true, message };
  }

  private certificate(url: URL): Promise<X509Certificate> {
    const key = url.href;
    const cached = this.certificates.get(key);
    if (cached !== undefined) return cached;
    const loading = this.fetchCertificate(url).then(parseCertificate);
    this.certificates.set(key, loading);
    // A failed fetch must not stick: the next message may find the host reachable again.
    loading.catch(() => {
      if (this.certificates.get(key) === loading) this.certificates.delete(key);
    });
    return loading;
  }
}

/**
 * Whether the certificate's subject names SNS: exactly one common name, `sns.amazonaws.com`. Other
 * attributes (O=Amazon.com, Inc. on older certificates) may come with it. Node writes the subject one
 * attribute per line with control characters escaped, so a line cannot be forged inside a value.
 */
function issuedToSns(certificate: X509Certificate): boolean {
  const names = certificate.subject.split('\n').filter((line) => line.startsWith('CN='));
  return names.length === 1 && names[0] === `CN=${SNS_CERTIFICATE_NAME}`;
}

/** The first PEM certificate in the response (found with indexOf: the body comes off the network). */
function parseCertificate(pem: string): X509Certificate {
  const begin = pem.indexOf(PEM_BEGIN);
  const end = begin === -1 ? -1 : pem.indexOf(PEM_END, begin + PEM_BEGIN.length);
  if (end === -1) throw new HttpsFetchError('bad_response', 'the response is not a PEM certificate');
  try {
    return new X509Certificate(pem.slice(begin, end + PEM_END.length));
  } catch (error) {
    throw new HttpsFetchError('bad_response', 'the PEM certificate does not parse', { cause: error });
  }
}

function certificateRefusal(error: unknown): VerifyRefusal {
  if (error instanceof HttpsFetchError) {
    if (error.kind === 'untrusted') return refuse(403, 'sns_cert_untrusted', `the certificate host was not proven: ${error.message}`);
    if (error.kind === 'bad_response') return refuse(403, 'sns_cert_invalid', `no usable certificate: ${error.message}`);
  }
  // Network trouble says nothing about the message: 503 lets SNS retry it later.
  const detail = error instanceof Error ? error.message : String(error);
  return refuse(503, 'sns_cert_unavailable', `the signing certificate could not be fetched: ${detail}`);
}
