import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import { tryNormalizeAddress } from '../addresses/index.ts';
import type { Locale } from '../shared/locale.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog, SubscriptionType } from '../subscriptions/index.ts';
import { confirmUrl } from './links.ts';
import { pageError } from './page-errors.ts';
import type { Enqueue } from './route-deps.ts';
import type { TokenService } from './tokens.ts';

export type ResubscribeCheck =
  | { ok: true; address: string; types: string[] }
  /** A form with mistakes: it comes back with messages, and nothing is sent. */
  | { ok: false; invalidEmail: boolean; noTypes: boolean; types: string[] };

/**
 * Checks what the public form asks for. A type the form does not offer is a form we never served;
 * a bad address or no ticked type is the visitor's mistake, answered with the form again.
 */
export function checkResubscribeRequest(deps: { formTypes: SubscriptionType[] }, input: { email: string | undefined; types: string[] | undefined }): ResubscribeCheck {
  const offered = new Set(deps.formTypes.map((t) => t.id));
  const types = [...new Set(input.types ?? [])];
  if (types.some((id) => !offered.has(id))) throw pageError('invalid_form', 'Unknown subscription type');
  const address = tryNormalizeAddress(input.email ?? '');
  if (!address.ok || types.length === 0) return { ok: false, invalidEmail: !address.ok, noTypes: types.length === 0, types };
  return { ok: true, address: address.address, types };
}

export interface RequestResubscribeDeps {
  tokens: TokenService;
  enqueue: Enqueue;
  catalog: SubscriptionCatalog;
  config: { publicUrl: string };
  actions: Counter<'action'>;
  logger: Logger;
}

/**
 * Anyone can type anyone's address, so asking changes nothing: it emails a single-use link (a
 * confirmation token with a fresh nonce) that the recipient confirms. Same work whatever the
 * address's state or existence, so the answer tells nothing about it.
 */
export async function requestResubscribe(deps: RequestResubscribeDeps, input: { address: string; types: string[]; locale: Locale }): Promise<void> {
  const { address, types, locale } = input;
  const token = deps.tokens.sign({ k: 'c', a: address, ts: types, n: randomBytes(16).toString('base64url'), l: locale });
  await deps.enqueue({
    kind: 'transactional',
    template: 'resubscribe-confirmation',
    to: address,
    data: { confirmUrl: confirmUrl(deps.config.publicUrl, token), types: types.map((id) => deps.catalog.get(id)?.name[locale] ?? id) },
    locale,
  });
  deps.actions.inc({ action: 'resubscribe_requested' });
  deps.logger.info({ event: 'preferences.resubscribe_requested', types });
}
