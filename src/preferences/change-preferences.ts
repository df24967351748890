import type { Counter } from 'prom-client';
import type { Logger } from '../shared/logger.ts';
import type { ChangeContext, SubscriptionCatalog, SubscriptionStore } from '../subscriptions/index.ts';
import { pageError } from './page-errors.ts';
import { toStateChange, type PreferenceAction, type PreferenceForm } from './preference-actions.ts';

export interface ChangePreferencesDeps {
  store: Pick<SubscriptionStore, 'apply'>;
  catalog: SubscriptionCatalog;
  actions: Counter<'action'>;
  logger: Logger;
}

export interface ChangePreferencesInput {
  address: string;
  form: PreferenceForm;
  context: ChangeContext;
}

export type ChangePreferencesResult = { changed: true; action: PreferenceAction } | { changed: false; reason: 'nothing_chosen' };

/** The action a valid form asks for; a type the catalog does not know is a form we never served. */
function toAction(catalog: SubscriptionCatalog, form: PreferenceForm): PreferenceAction | undefined {
  switch (form.action) {
    case 'resubscribe': {
      const types = [...new Set(form.types ?? [])];
      if (types.some((id) => !catalog.has(id))) throw pageError('invalid_form', 'Unknown subscription type');
      return types.length === 0 ? undefined : { action: 'resubscribe', types };
    }
    case 'unsubscribe_all':
      return { action: 'unsubscribe_all' };
    case 'unsubscribe':
    case 'subscribe':
      if (!catalog.has(form.type)) throw pageError('invalid_form', 'Unknown subscription type');
      return { action: form.action, type: form.type };
  }
}

/**
 * A change on the preference page. Holding the preferences token proves the mailbox, so the change
 * takes effect at once (one consent event). Re-subscribing with nothing ticked changes nothing.
 */
export async function changePreferences(deps: ChangePreferencesDeps, input: ChangePreferencesInput): Promise<ChangePreferencesResult> {
  const action = toAction(deps.catalog, input.form);
  if (!action) return { changed: false, reason: 'nothing_chosen' };
  await deps.store.apply(input.address, toStateChange(action), input.context);
  deps.actions.inc({ action: `preferences_${action.action}` });
  deps.logger.info({ event: 'preferences.changed', action: action.action });
  return { changed: true, action };
}
