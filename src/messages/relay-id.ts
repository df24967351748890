/** An SMTP reply line is at most 512 octets (RFC 5321 §4.5.3.1.5); the id is in the first lines. */
const MAX_REPLY_TEXT = 4 * 1024;

/**
 * The relay's own id for a message, from its final SMTP reply, so feedback that names only that id
 * (SES, Postmark, SendGrid) can be matched: Postfix, SendGrid and most MTAs answer
 * `250 … queued as <id>`; SES answers `250 Ok <message-id>`. Both patterns are linear (a literal,
 * then bounded classes), and they read a capped reply.
 */
export function relayIdFromReply(reply: string): string | undefined {
  const head = reply.slice(0, MAX_REPLY_TEXT);
  const queued = /\bqueued as\s+<?([A-Za-z0-9._@-]{4,200})>?/i.exec(head);
  if (queued) return queued[1];
  const ses = /^250 Ok ([0-9a-f]{16}-[0-9a-f-]{20,80})\b/i.exec(head);
  return ses?.[1];
}
