import { z } from 'zod';
import type { StateChange } from '../subscriptions/index.ts';

const typeId = z.string().min(1).max(64);
const oneOrMany = z.union([typeId, z.array(typeId).max(64)]).transform((v) => (Array.isArray(v) ? v : [v]));

/** What a preference-page form may ask for. Each form posts exactly one action. */
export const preferenceFormSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('unsubscribe'), type: typeId, csrf: z.string() }).strict(),
  z.object({ action: z.literal('subscribe'), type: typeId, csrf: z.string() }).strict(),
  z.object({ action: z.literal('unsubscribe_all'), csrf: z.string() }).strict(),
  // no `types` at all when no box was ticked: answered with "choose at least one"
  z.object({ action: z.literal('resubscribe'), types: oneOrMany.optional(), csrf: z.string() }).strict(),
]);
export type PreferenceForm = z.infer<typeof preferenceFormSchema>;
export type PreferenceAction =
  | { action: 'unsubscribe'; type: string }
  | { action: 'subscribe'; type: string }
  | { action: 'unsubscribe_all' }
  | { action: 'resubscribe'; types: string[] };

/**
 * The state change a recipient's action asks for. Re-subscribing lifts the opt-out of all and
 * subscribes the chosen types in one change (one consent event); holding the token proves the
 * mailbox, so no confirmation is needed here.
 */
export function toStateChange(action: PreferenceAction): StateChange {
  switch (action.action) {
    case 'unsubscribe':
      return { subscriptions: { [action.type]: 'unsubscribed' } };
    case 'subscribe':
      return { subscriptions: { [action.type]: 'subscribed' } };
    case 'unsubscribe_all':
      return { optedOutOfAll: true };
    case 'resubscribe':
      return { optedOutOfAll: false, subscriptions: Object.fromEntries(action.types.map((t) => [t, 'subscribed' as const])) };
  }
}
