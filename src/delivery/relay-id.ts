/**
 * The relay's own id for a message, from its final SMTP reply, so feedback that names only that id
 * (SES, Postmark, SendGrid) can be matched: Postfix, SendGrid and most MTAs answer
 * `250 … queued as <id>`; SES answers `250 Ok <message-id>`.
 */
export function relayIdFromReply(reply: string): string | undefined {
  const queued = /\bqueued as\s+<?([A-Za-z0-9._@-]{4,200})>?/i.exec(reply);
  if (queued) return queued[1];
  const ses = /^250 Ok ([0-9a-f]{16}-[0-9a-f-]{20,80})\b/i.exec(reply);
  return ses?.[1];
}
