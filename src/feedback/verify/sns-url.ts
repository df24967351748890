/**
 * The one rule for URLs an SNS message asks us to fetch (SigningCertURL, SubscribeURL). It is not
 * configurable on purpose: whoever controls the certificate controls what "signed" means, so the
 * certificate may only come from Amazon's own SNS hosts, over TLS.
 *
 * Only the hostname is checked; a port is allowed. Real SNS URLs carry none, and a port cannot move
 * the request off an SNS host: TLS still has to prove that hostname.
 */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export type SnsUrlPurpose = 'certificate' | 'subscribe';

export function parseSnsUrl(raw: string, purpose: SnsUrlPurpose): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  // WHATWG URL has already lower-cased the hostname (a trailing dot stays and fails the rule).
  // Credentials have no place in an SNS URL.
  if (!SNS_HOST.test(url.hostname) || url.username !== '' || url.password !== '') return undefined;
  if (purpose === 'certificate' && !url.pathname.endsWith('.pem')) return undefined;
  return url;
}
