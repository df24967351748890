import { httpsGetText, type HttpsFetchOptions } from './https-get.ts';
import type { SnsMessage } from './sns-message.ts';
import { parseSnsUrl } from './sns-url.ts';
import { refuse, type VerifyRefusal } from './verify-result.ts';

export type ConfirmSubscriptionResult = { ok: true; subscriptionArn: string | undefined } | VerifyRefusal;

/** The ConfirmSubscriptionResponse XML is a few hundred bytes. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Confirms an SNS HTTP/S subscription by visiting its SubscribeURL (AWS SNS docs: "HTTP/HTTPS
 * subscription confirmation JSON format"). Call it only with a message `SnsVerifier` accepted.
 * The URL is held to the same SNS-host rule as the certificate, so even a verified message cannot
 * make us request anything else. An `UnsubscribeConfirmation` carries a SubscribeURL too, to undo
 * an unsubscribe; that is the operator's decision, so it is never visited here.
 */
export async function confirmSubscription(message: SnsMessage, deps: HttpsFetchOptions = {}): Promise<ConfirmSubscriptionResult> {
  if (message.Type !== 'SubscriptionConfirmation') {
    return refuse(400, 'sns_not_subscription_confirmation', `a ${message.Type} is not confirmed`);
  }
  const url = parseSnsUrl(message.SubscribeURL, 'subscribe');
  if (url === undefined) return refuse(403, 'sns_subscribe_url_refused', 'SubscribeURL is not an https URL on an SNS host');
  let body: string;
  try {
    body = await httpsGetText(url, MAX_RESPONSE_BYTES, deps);
  } catch (error) {
    // The route answers 503 so that SNS sends the confirmation again.
    const detail = error instanceof Error ? error.message : String(error);
    return refuse(503, 'sns_confirm_failed', `SubscribeURL could not be confirmed: ${detail}`);
  }
  const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(body)?.[1]?.trim();
  return { ok: true, subscriptionArn: arn };
}
