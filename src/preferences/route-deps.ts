import type { Request } from 'express';
import type { Counter } from 'prom-client';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog, SubscriptionType } from '../subscriptions/catalog.ts';
import type { SubscriptionStore } from '../subscriptions/subscription-store.ts';
import type { ConsentMode, ConsentSource, ChangeContext } from '../subscriptions/types.ts';
import type { Locale } from '../templates/types.ts';
import type { CsrfGuard } from './csrf.ts';
import { pageError } from './page-errors.ts';
import type { TokenKind, TokenPayload, TokenService } from './tokens.ts';
import type { UsedTokenModel } from './used-token.model.ts';

/** The confirmation email the re-subscribe form asks the messages module to send. */
export interface ConfirmationMessage {
  kind: 'transactional';
  template: 'resubscribe-confirmation';
  to: string;
  data: { confirmUrl: string; types: string[] };
  locale: Locale;
}

export type Enqueue = (input: ConfirmationMessage) => Promise<unknown>;

/** Everything the recipient routes need, built once in index.ts. */
export interface RouteDeps {
  logger: Logger;
  publicUrl: string;
  postalAddress: string;
  consentMode: ConsentMode;
  tokens: TokenService;
  csrf: CsrfGuard;
  catalog: SubscriptionCatalog;
  /** Types offered on the public form (SUBSCRIBE_FORM_TYPES, default all). */
  formTypes: SubscriptionType[];
  store: SubscriptionStore;
  enqueue: Enqueue;
  usedTokens: UsedTokenModel;
  actions: Counter<'action'>;
}

type PayloadOf<K extends TokenKind> = Extract<TokenPayload, { k: K }>;

/** Verifies a token from the URL or answers with a 4xx page; nothing else runs on a bad token. */
export function readToken<K extends TokenKind>(tokens: TokenService, raw: unknown, kind: K): PayloadOf<K> {
  const result = tokens.verify(raw, kind);
  if (result.ok) return result.payload as PayloadOf<K>;
  if (result.reason === 'expired') throw pageError(kind === 'c' ? 'expired_token' : 'expired_link', 'The link has expired');
  throw pageError('invalid_token', `The link is not valid (${result.reason})`);
}

/** Who made a recipient's change: recorded on the consent event. */
export function recipientContext(req: Request, source: ConsentSource, messageId?: string): ChangeContext {
  const userAgent = req.get('user-agent');
  return {
    source,
    ...(req.ip ? { ip: req.ip } : {}),
    ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}),
    ...(messageId ? { messageId } : {}),
  };
}

/** The `csrf` field of a parsed form body, if it is one string (checked before anything else). */
export function csrfField(body: unknown): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).csrf : undefined;
  return typeof value === 'string' ? value : undefined;
}
