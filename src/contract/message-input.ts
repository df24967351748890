import { z } from 'zod';
import { tryNormalizeAddress } from '../addresses/index.ts';
import { MESSAGE_KINDS, type MessageKind } from '../shared/message-kinds.ts';
import { LOCALES, type Locale } from '../shared/locale.ts';

/**
 * The enqueue contract (docs/rules.md §3), shared by the HTTP routes, the in-process use case and the
 * typed client (which must not load the server's dependencies: this folder imports only pure code).
 * No database, no templates; those checks happen in the enqueue use case.
 */
export const MAX_BATCH = 1000;
/** Where a message stands; `bounced` and `complained` come later, from relay feedback (docs/architecture.md). */
export const MESSAGE_STATUSES = ['queued', 'sent', 'suppressed', 'failed', 'bounced', 'complained'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const printable = /^[\x20-\x7e]+$/;

export const messageInputSchema = z
  .object({
    kind: z.enum(MESSAGE_KINDS),
    to: z.string().max(320),
    template: z.string().min(1).max(100),
    data: z.record(z.string(), z.unknown()).optional(),
    subscriptionType: z.string().min(1).max(100).optional(),
    from: z.string().max(320).optional(),
    replyTo: z.string().max(320).optional(),
    locale: z.enum(LOCALES).optional(),
    idempotencyKey: z.string().min(1).max(255).regex(printable, 'printable ASCII only').optional(),
    sendAt: z.iso.datetime({ offset: true }).optional(),
    bypassFrequencyCap: z
      .boolean()
      .optional()
      .meta({ description: 'Marketing only (other kinds are never capped, and ignore it): counted against the frequency caps but never held or suppressed by them; recorded on the message and its decision' }),
  })
  .strict()
  .meta({ id: 'MessageInput' });

/** What callers send: see docs/rules.md §3 `POST /v1/messages`. */
export type MessageInput = z.input<typeof messageInputSchema>;

export const batchInputSchema = z.object({ messages: z.array(z.unknown()).min(1).max(MAX_BATCH) }).strict();

export const idempotencyKeySchema = z.string().min(1).max(255).regex(printable, 'printable ASCII only');

/** A validated message with its addresses normalized. */
export interface ParsedMessage {
  kind: MessageKind;
  to: string;
  template: string;
  data: Record<string, unknown>;
  subscriptionType: string | undefined;
  from: string | undefined;
  replyTo: string | undefined;
  locale: Locale;
  idempotencyKey: string | undefined;
  sendAt: Date | undefined;
  /** Counted against the frequency caps, never refused by them (docs/rules.md §13). */
  bypassFrequencyCap: boolean;
}

/** A failure with the HTTP status and stable code the API answers with. */
export interface InputError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export type ParseResult = { ok: true; message: ParsedMessage } | { ok: false; error: InputError };

const invalid = (code: string, message: string, details?: unknown, status = 400): ParseResult => ({
  ok: false,
  error: { status, code, message, details },
});

/** Shape, addresses and key checks: everything that needs no server state. */
export function parseMessageInput(raw: unknown, headerKey?: string): ParseResult {
  const parsed = messageInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return invalid('validation_failed', `Invalid message: ${first ? `${first.path || '(body)'}: ${first.message}` : 'invalid'}`, issues);
  }
  const input = parsed.data;
  const addresses: Partial<Record<'to' | 'from' | 'replyTo', string>> = {};
  for (const field of ['to', 'from', 'replyTo'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const result = tryNormalizeAddress(value);
    if (!result.ok) return invalid('invalid_address', `Invalid ${field} address: ${result.reason}`, { field });
    addresses[field] = result.address;
  }
  if (headerKey !== undefined) {
    const key = idempotencyKeySchema.safeParse(headerKey);
    if (!key.success) return invalid('validation_failed', 'Idempotency-Key header: 1 to 255 printable ASCII characters');
    if (input.idempotencyKey !== undefined && input.idempotencyKey !== headerKey) {
      return invalid('idempotency_key_conflict', 'The Idempotency-Key header and the idempotencyKey field differ');
    }
  }
  if (input.kind === 'marketing' && input.subscriptionType === undefined) {
    return invalid('subscription_type_required', 'Marketing messages must name a subscriptionType', undefined, 422);
  }
  if (input.kind !== 'marketing' && input.subscriptionType !== undefined) {
    return invalid('subscription_type_not_allowed', `A ${input.kind} message has no subscriptionType`, undefined, 422);
  }
  return {
    ok: true,
    message: {
      kind: input.kind,
      to: addresses.to!,
      template: input.template,
      data: input.data ?? {},
      subscriptionType: input.subscriptionType,
      from: addresses.from,
      replyTo: addresses.replyTo,
      locale: input.locale ?? 'en',
      idempotencyKey: headerKey ?? input.idempotencyKey,
      sendAt: input.sendAt === undefined ? undefined : new Date(input.sendAt),
      bypassFrequencyCap: input.bypassFrequencyCap === true,
    },
  };
}
