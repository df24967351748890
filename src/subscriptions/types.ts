import { z } from 'zod';

/** The words for subscription state. See docs/rules.md §1. */
export { MESSAGE_KINDS, type MessageKind } from '../shared/message-kinds.ts';

export const TYPE_STATES = ['subscribed', 'unsubscribed', 'not_specified'] as const;
export type TypeState = (typeof TYPE_STATES)[number];

/** `hard_bounce` blocks every kind; `soft_bounce` (too many soft bounces) and `complaint` block marketing. */
export const SUPPRESSION_KINDS = ['hard_bounce', 'soft_bounce', 'complaint'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

export { CONSENT_MODES, type ConsentMode } from '../shared/decision-rules.ts';

export const CONSENT_SOURCES = [
  'preferences_page',
  'one_click',
  'resubscribe_form',
  'operator',
  'bulk_import',
  'bounce',
  'complaint',
  'provider',
  'api',
] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export const LEGAL_BASES = [
  'legitimate_interest_prospect',
  'legitimate_interest_customer',
  'legitimate_interest_other',
  'performance_of_contract',
  'consent_with_notice',
  'not_applicable',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** A deliverability block on an address; also its API shape (dates as ISO 8601 on the wire). */
export const suppressionSchema = z
  .object({ kind: z.enum(SUPPRESSION_KINDS), at: z.date(), source: z.enum(CONSENT_SOURCES), detail: z.string().optional() })
  .meta({ id: 'Suppression' });
export type Suppression = z.infer<typeof suppressionSchema>;

/** State of one normalized address. A never-seen address is all `not_specified`, not opted out. */
export interface AddressState {
  address: string;
  optedOutOfAll: boolean;
  /** Only types with a recorded state appear; a missing type is `not_specified`. */
  subscriptions: Record<string, TypeState>;
  suppression: Suppression | undefined;
  updatedAt: Date | undefined;
  version: number;
  /**
   * Present when the address was erased (docs/rules.md §10): blocks marketing like an opt-out of all,
   * and only the person's own confirmed re-subscribe lifts it (erasure-rule.ts).
   */
  erased?: true;
}

export const emptyState = (address: string): AddressState => ({
  address,
  optedOutOfAll: false,
  subscriptions: {},
  suppression: undefined,
  updatedAt: undefined,
  version: 0,
});

/** A requested change; fields left out stay as they are. */
export interface StateChange {
  optedOutOfAll?: boolean;
  subscriptions?: Record<string, 'subscribed' | 'unsubscribed'>;
  /** Set a deliverability suppression (bounces, complaints); `null` clears it. */
  suppression?: Suppression | null;
}

/** Who made a change and on what grounds; stored with the consent event. */
export interface ChangeContext {
  source: ConsentSource;
  actor?: string;
  ip?: string;
  userAgent?: string;
  messageId?: string;
  legalBasis?: LegalBasis;
  legalBasisExplanation?: string;
  /** For changes made by relay feedback (bounces, complaints, provider unsubscribes). */
  feedback?: FeedbackContext;
}

/** Which relay event made a change: recorded on the consent event so the suppression can be proven. */
export interface FeedbackContext {
  provider: string;
  eventId: string;
  statusCode?: string;
  diagnostic?: string;
}
