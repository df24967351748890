import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import { tryNormalizeAddress } from '../addresses/index.ts';
import type { Locale } from '../shared/locale.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog, SubscriptionStore, SubscriptionType } from '../subscriptions/index.ts';
import { confirmUrl } from './links.ts';
import { pageError } from './page-errors.ts';
import type { ConfirmationBudget } from './rate-limits.ts';
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
  /** get: a hard-bounced address is never sent a confirmation */
  store: Pick<SubscriptionStore, 'get'>;
  limits: { confirmations: ConfirmationBudget };
  config: { publicUrl: string; resubscribeConfirmationsPerHour: number };
  actions: Counter<'action'>;
  logger: Logger;
}

/**
 * Anyone can type anyone's address, so asking changes nothing: it emails a single-use link (a
 * confirmation token with a fresh nonce) that the recipient confirms. The caller answers the same
 * whatever happens here, so the answer tells nothing about the address. No mail goes to a
 * hard-bounced address (the mailbox does not exist: mailing it hurts the sender's reputation), nor
 * past the deployment's hourly budget (docs/rules.md §11); both are logged and counted.
 */
export async function requestResubscribe(deps: RequestResubscribeDeps, input: { address: string; types: string[]; locale: Locale }): Promise<void> {
  const { address, types, locale } = input;
  const state = await deps.store.get(address);
  if (state.suppression?.kind === 'hard_bounce') {
    deps.actions.inc({ action: 'resubscribe_not_sent_hard_bounce' });
    deps.logger.info({ event: 'preferences.resubscribe_not_sent', reason: 'hard_bounce', types });
    return;
  }
  if (!(await deps.limits.confirmations.take(deps.config.resubscribeConfirmationsPerHour))) {
    deps.actions.inc({ action: 'resubscribe_not_sent_hourly_cap' });
    deps.logger.warn({ event: 'preferences.resubscribe_not_sent', reason: 'hourly_cap', limit: deps.config.resubscribeConfirmationsPerHour });
    return;
  }
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
