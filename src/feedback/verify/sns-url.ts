/**
 * The one rule for URLs an SNS message asks us to fetch (SigningCertURL, SubscribeURL). It is not
 * configurable on purpose: whoever controls the certificate controls what "signed" means, so the
 * certificate may only come from Amazon's own SNS hosts, over TLS (AWS SNS docs: "Verifying the
 * signatures of Amazon SNS messages").
 *
 * The host is exactly `sns.<region>.amazonaws.com` (`.amazonaws.com.cn` for the China regions), with
 * the region in AWS's shape (`us-east-1`, `us-gov-west-1`, `cn-north-1`). A looser "any label" rule
 * lets in hosts that strangers control: `sns.s3.amazonaws.com` and `sns.s3-us-west-2.amazonaws.com`
 * are the S3 bucket named "sns". The URL must be written as SNS writes it: the default port, no
 * credentials, no fragment; a certificate URL has no query and ends in `.pem`, a SubscribeURL is
 * `/?Action=ConfirmSubscription&…`. Anything the URL parser would rewrite (case, a `:443`, stray
 * characters) is refused rather than normalized.
 */
const SNS_HOST = /^sns\.(?:[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}\.amazonaws\.com|cn-[a-z]+-\d{1,2}\.amazonaws\.com\.cn)$/;

export type SnsUrlPurpose = 'certificate' | 'subscribe';

export function parseSnsUrl(raw: string, purpose: SnsUrlPurpose): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.href !== raw || url.protocol !== 'https:' || !SNS_HOST.test(url.hostname)) return undefined;
  if (url.port !== '' || url.username !== '' || url.password !== '' || raw.includes('#')) return undefined;
  if (purpose === 'certificate') return url.search === '' && !raw.includes('?') && url.pathname.endsWith('.pem') ? url : undefined;
  return url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription' ? url : undefined;
}
