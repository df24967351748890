import type { MessageKind, SubscriptionCatalog } from '../subscriptions/index.ts';
import type { Locale } from './types.ts';

/** The system-owned values the footer partial reads as `{{@footer.*}}`. Never taken from message data. */
export interface FooterData {
  preferencesUrl: string;
  preferencesLabel: string;
  unsubscribeUrl: string | undefined;
  unsubscribeLabel: string;
  /** "You receive this because you subscribed to …", marketing only. */
  reason: string | undefined;
  postalAddress: string;
}

const STRINGS = {
  en: {
    preferences: 'Manage email preferences',
    unsubscribe: 'Unsubscribe',
    reason: (type: string) => `You receive this email because you subscribed to ${type}.`,
    service: 'You receive this email about your account or a request you made.',
  },
  de: {
    preferences: 'E-Mail-Einstellungen verwalten',
    unsubscribe: 'Abmelden',
    reason: (type: string) => `Sie erhalten diese E-Mail, weil Sie „${type}“ abonniert haben.`,
    service: 'Sie erhalten diese E-Mail zu Ihrem Konto oder zu einer Anfrage von Ihnen.',
  },
} as const;

/** The static part of a footer, computed once per (locale, type), so a message only adds its two URLs. */
export type FooterLabels = Omit<FooterData, 'preferencesUrl' | 'unsubscribeUrl'>;

export function footerLabels(locale: Locale, kind: MessageKind, typeName: string | undefined, postalAddress: string): FooterLabels {
  const s = STRINGS[locale];
  return {
    preferencesLabel: s.preferences,
    unsubscribeLabel: s.unsubscribe,
    reason: typeName !== undefined ? s.reason(typeName) : kind === 'transactional' ? s.service : undefined,
    postalAddress,
  };
}

/** Caches the labels; the catalog is immutable for the process's life. */
export class FooterLabelCache {
  private readonly cache = new Map<string, FooterLabels>();

  constructor(private readonly deps: { catalog: SubscriptionCatalog; postalAddress: string }) {}

  get(locale: Locale, kind: MessageKind, subscriptionType: string | undefined): FooterLabels | undefined {
    const key = `${locale}\u0000${kind}\u0000${subscriptionType ?? ''}`;
    let labels = this.cache.get(key);
    if (!labels) {
      let typeName: string | undefined;
      if (subscriptionType !== undefined) {
        typeName = this.deps.catalog.get(subscriptionType)?.name[locale];
        if (typeName === undefined) return undefined;
      }
      labels = footerLabels(locale, kind, typeName, this.deps.postalAddress);
      this.cache.set(key, labels);
    }
    return labels;
  }
}

/** The text part's footer: appended by the system to every text body, filled with `@footer`. */
export const TEXT_FOOTER = [
  '',
  '',
  '--',
  '{{#if @footer.reason}}{{@footer.reason}}',
  '{{/if}}{{#if @footer.unsubscribeUrl}}{{@footer.unsubscribeLabel}}: {{@footer.unsubscribeUrl}}',
  '{{/if}}{{@footer.preferencesLabel}}: {{@footer.preferencesUrl}}',
  '{{@footer.postalAddress}}',
  '',
].join('\n');
