/** A relay's reply is read from its first 2 KB: a reply line is at most 512 octets (RFC 5321). */
const MAX_REPLY_TEXT = 2048;

// Bounded and anchored where it matters: linear on any input.
const CODE_AT_START = /^\s*([2-5]\d\d)(?=[\s-]|$)/;
const ENHANCED_4_7 = /(?:^|[\s(])4\.7\.\d{1,3}(?=$|[\s:;,)])/;
const PACE_TEXT = /throttl|too many|\brate(?:[ -]?limit(?:ed|ing)?)?\b|\bquota\b|slow down/i;

interface ReplyLike {
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  status?: unknown;
  statusCode?: unknown;
}

/**
 * Whether a relay refused a send because the *stream* is sending too fast — not because of this
 * message or its recipient — so the whole stream backs off and the message keeps its attempt
 * (delivery/stream-pace.ts, docs/rules.md §12):
 * - SMTP 421 (the relay closes the channel: how Gmail, Microsoft and most MTAs say "slow down");
 * - SMTP 454 whose text speaks of throttling, rate or quota (SES: `454 Throttling failure: Maximum
 *   sending rate exceeded`, `… Daily message quota exceeded`);
 * - any other 4xx with an enhanced status 4.7.x whose text speaks of rate, throttling or too many;
 * - HTTP 429 from an HTTP relay (`status` or `statusCode` on the error).
 * A 5xx never is (it is final for the message), nor a 4.2.x "this recipient receives too fast":
 * that is one mailbox, not the stream.
 */
export function isThrottlingReply(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ReplyLike;
  if (e.status === 429 || e.statusCode === 429) return true;
  const text = (typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : '').slice(0, MAX_REPLY_TEXT);
  const leading = CODE_AT_START.exec(text)?.[1];
  const code = typeof e.responseCode === 'number' ? e.responseCode : leading === undefined ? undefined : Number(leading);
  if (code === undefined || code < 400 || code >= 500) return false;
  if (code === 421) return true;
  if (code === 454) return PACE_TEXT.test(text);
  return ENHANCED_4_7.test(text) && PACE_TEXT.test(text);
}
