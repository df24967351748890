import type { Counter } from 'prom-client';
import type { Config } from '../config.ts';
import type { Locale } from '../shared/locale.ts';
import type { Logger } from '../shared/logger.ts';
import type { SubscriptionCatalog, SubscriptionStore, SubscriptionType } from '../subscriptions/index.ts';
import type { CsrfGuard } from '../http/csrf.ts';
import type { FormRateLimits } from './rate-limits.ts';
import type { SubscriptionForms } from './subscription-forms.ts';
import type { TokenService } from './tokens.ts';
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

/**
 * Everything the recipient pages are built from. The composition root builds each of these once
 * (connections, limiters, counters included); this domain only wires them into routes.
 */
export interface PreferencesDeps {
  /** The domain's logger (the root passes a child with `module: 'preferences'`). */
  logger: Logger;
  config: Pick<Config, 'publicUrl' | 'postalAddress' | 'consentMode' | 'secrets' | 'resubscribeConfirmationsPerHour'>;
  tokens: TokenService;
  catalog: SubscriptionCatalog;
  /** Types offered on the default public form, /subscribe (validated by the root). */
  formTypes: SubscriptionType[];
  /** The operator's stored forms, public at /subscribe/<formId>. */
  forms: Pick<SubscriptionForms, 'findPublished'>;
  /** apply/get */
  store: SubscriptionStore;
  /** Sends the `resubscribe-confirmation` email (the messages domain's enqueue). */
  enqueue: Enqueue;
  usedTokens: UsedTokenModel;
  csrf: CsrfGuard;
  actions: Counter<'action'>;
  limits: FormRateLimits;
}
