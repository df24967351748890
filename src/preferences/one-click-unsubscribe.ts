import type { Counter } from 'prom-client';
import type { Logger } from '../shared/logger.ts';
import type { ChangeContext, SubscriptionStore } from '../subscriptions/index.ts';

export interface OneClickUnsubscribeDeps {
  store: Pick<SubscriptionStore, 'apply'>;
  actions: Counter<'action'>;
  logger: Logger;
}

export interface OneClickUnsubscribeInput {
  address: string;
  /** The message's subscription type, from the one-click token. */
  type: string;
  context: ChangeContext;
}

/**
 * RFC 8058 one-click: unsubscribes the address from the one type its message was sent for. The
 * token proves the mailbox; mail providers post on the recipient's behalf, so there is no CSRF.
 */
export async function oneClickUnsubscribe(deps: OneClickUnsubscribeDeps, input: OneClickUnsubscribeInput): Promise<void> {
  await deps.store.apply(input.address, { subscriptions: { [input.type]: 'unsubscribed' } }, input.context);
  deps.actions.inc({ action: 'one_click_unsubscribe' });
  deps.logger.info({ event: 'preferences.one_click', type: input.type });
}
