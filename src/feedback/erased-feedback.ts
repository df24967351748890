import type { FeedbackEvent, MessageRef } from './feedback-event.ts';
import type { FeedbackRecord } from './feedback-record.model.ts';

/** What stands in for the address where a provider's id quoted it. */
const ERASED = '[erased]';
/** An RFC 3463 enhanced status code: kept, since it cannot name anyone. */
const STATUS_CODE = /^[245]\.\d{1,3}\.\d{1,3}$/;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every spelling given (matched case-insensitively) replaced. Linear: the patterns are escaped literals. */
function without(text: string, spellings: string[]): string {
  return spellings.reduce((out, spelling) => out.replace(new RegExp(escape(spelling), 'gi'), ERASED), text);
}

/**
 * The raw record of feedback about an erased address that has no state document (docs/rules.md §10):
 * filed under the erasure record's key instead of the address, and stripped of what could name the
 * person — the diagnostic and detail (free text; a bounce's diagnostic usually quotes the address),
 * and the address wherever a provider's event id or message reference quoted it (SES, Postmark and
 * report mail build event ids from the recipient). Deterministic, so a replayed event finds its
 * first copy. Pure.
 */
export function withoutAddress(event: FeedbackEvent, address: string, erasedKey: string): Omit<FeedbackRecord, '_id' | 'receivedAt'> {
  const spellings = [...new Set([address, event.address?.trim() ?? address])].filter((s) => s.length > 0);
  const message: MessageRef = {};
  for (const [name, value] of Object.entries(event.message)) if (typeof value === 'string') message[name as keyof MessageRef] = without(value, spellings);
  return {
    type: event.type,
    address: null,
    erasedKey,
    at: event.at,
    provider: event.provider,
    eventId: without(event.eventId, spellings),
    ...(event.statusCode && STATUS_CODE.test(event.statusCode) ? { statusCode: event.statusCode } : {}),
    ...(event.subscriptionType ? { subscriptionType: without(event.subscriptionType, spellings) } : {}),
    ...(event.scope ? { scope: event.scope } : {}),
    message,
  };
}
