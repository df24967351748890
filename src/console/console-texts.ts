import type { Locale } from '../shared/locale.ts';
import type { ConsoleSection } from './console-roles.ts';

/** Every word the console shows, in English and German. */
export interface ConsoleTexts {
  lang: string;
  skipToContent: string;
  product: string;
  mainNav: string;
  sections: Record<ConsoleSection, string>;
  signedInAs: (email: string, role: string) => string;
  signOut: string;
  // sign-in
  signInTitle: string;
  email: string;
  password: string;
  signIn: string;
  signInFailed: string;
  // home
  homeTitle: string;
  homeIntro: string;
  // addresses
  searchLabel: string;
  search: string;
  searchHint: string;
  noRecordedState: string;
  invalidAddress: string;
  results: string;
  addressTitle: (address: string) => string;
  stateHeading: string;
  type: string;
  stateColumn: string;
  states: Record<'subscribed' | 'unsubscribed' | 'not_specified', string>;
  optedOutOfAll: string;
  yes: string;
  no: string;
  suppression: string;
  none: string;
  unsubscribe: string;
  unsubscribeFrom: (type: string) => string;
  optOutAll: string;
  optOutAllHeading: string;
  resubscribeHeading: string;
  resubscribeHint: string;
  typesLegend: string;
  clearOptOut: string;
  legalBasis: string;
  chooseLegalBasis: string;
  explanation: string;
  resubscribe: string;
  chooseSomething: string;
  liftHeading: string;
  liftSuppression: string;
  liftNeedsLegalBasis: string;
  timelineHeading: string;
  noEvents: string;
  source: string;
  actor: string;
  ip: string;
  userAgent: string;
  change: string;
  messagesHeading: string;
  noMessages: string;
  message: string;
  template: string;
  kind: string;
  status: string;
  reason: string;
  created: string;
  refused: string;
  done: Record<string, string>;
  // suppressions
  suppressionsTitle: string;
  reasonFilter: string;
  anyReason: string;
  since: string;
  filter: string;
  address: string;
  at: string;
  detail: string;
  nextPage: string;
  noSuppressions: string;
  // activity
  activityTitle: string;
  queueHeading: string;
  jobState: string;
  count: string;
  outcomesHeading: string;
  outcomesNote: string;
  outcome: string;
  failuresHeading: string;
  noFailures: string;
  feedbackHeading: string;
  // errors
  forbiddenTitle: string;
  forbiddenText: string;
  notFoundTitle: string;
  notFoundText: string;
  formExpiredTitle: string;
  formExpiredText: string;
  tooManyTitle: string;
  tooManyText: string;
  badRequestTitle: string;
  failedTitle: string;
  failedText: string;
  nothingChanged: string;
  backHome: string;
}

const en: ConsoleTexts = {
  lang: 'en',
  skipToContent: 'Skip to content',
  product: 'mailgate console',
  mainNav: 'Console',
  sections: { addresses: 'Addresses', suppressions: 'Suppressions', forms: 'Subscription forms', templates: 'Templates', activity: 'Activity' },
  signedInAs: (email, role) => `Signed in as ${email} (${role})`,
  signOut: 'Sign out',
  signInTitle: 'Sign in to the mailgate console',
  email: 'Email',
  password: 'Password',
  signIn: 'Sign in',
  signInFailed: 'The email or password is not right.',
  homeTitle: 'Console',
  homeIntro: 'Choose what to work on.',
  searchLabel: 'Email address',
  search: 'Search',
  searchHint: 'The exact address; it is normalized as the API does.',
  noRecordedState: 'No state recorded yet: all types not specified.',
  invalidAddress: 'That is not a valid email address.',
  results: 'Results',
  addressTitle: (address) => `Address ${address}`,
  stateHeading: 'State per type',
  type: 'Type',
  stateColumn: 'State',
  states: { subscribed: 'subscribed', unsubscribed: 'unsubscribed', not_specified: 'not specified' },
  optedOutOfAll: 'Opted out of all marketing',
  yes: 'yes',
  no: 'no',
  suppression: 'Suppression',
  none: 'none',
  unsubscribe: 'Unsubscribe',
  unsubscribeFrom: (type) => `Unsubscribe from ${type}`,
  optOutAll: 'Opt out of all',
  optOutAllHeading: 'Opt out of all marketing',
  resubscribeHeading: 'Re-subscribe',
  resubscribeHint: 'Re-subscribing an address that opted out needs a legal basis and an explanation.',
  typesLegend: 'Subscribe to',
  clearOptOut: 'Clear the opt-out of all marketing',
  legalBasis: 'Legal basis',
  chooseLegalBasis: 'Choose a legal basis',
  explanation: 'Explanation',
  resubscribe: 'Re-subscribe',
  chooseSomething: 'Choose at least one type, or clear the opt-out.',
  liftHeading: 'Lift the suppression',
  liftSuppression: 'Lift suppression',
  liftNeedsLegalBasis: 'This address complained: lifting needs a legal basis too.',
  timelineHeading: 'Consent history',
  noEvents: 'No consent events yet.',
  source: 'Source',
  actor: 'Actor',
  ip: 'IP address',
  userAgent: 'User agent',
  change: 'Change',
  messagesHeading: 'Recent messages',
  noMessages: 'No messages to this address.',
  message: 'Message',
  template: 'Template',
  kind: 'Kind',
  status: 'Status',
  reason: 'Reason',
  created: 'Created',
  refused: 'Refused: nothing changed',
  done: {
    unsubscribed: 'Unsubscribed. The change is in the consent history.',
    opted_out: 'Opted out of all marketing. The change is in the consent history.',
    resubscribed: 'Re-subscribed. The change is in the consent history.',
    lifted: 'Suppression lifted. The change is in the consent history.',
    unchanged: 'Nothing to change: the address was in that state already.',
  },
  suppressionsTitle: 'Suppressions',
  reasonFilter: 'Reason',
  anyReason: 'Any reason',
  since: 'Since (date)',
  filter: 'Filter',
  address: 'Address',
  at: 'When',
  detail: 'Detail',
  nextPage: 'Next page',
  noSuppressions: 'No suppressions match.',
  activityTitle: 'Activity',
  queueHeading: 'Send queue',
  jobState: 'Job state',
  count: 'Count',
  outcomesHeading: 'Sends and suppressions',
  outcomesNote: 'Counted by this API process since it started.',
  outcome: 'Outcome',
  failuresHeading: 'Recent failed send jobs',
  noFailures: 'No failed jobs.',
  feedbackHeading: 'Relay feedback (bounces, complaints)',
  forbiddenTitle: 'Not for your role',
  forbiddenText: 'Your account may not use this page.',
  notFoundTitle: 'Page not found',
  notFoundText: 'There is no such console page.',
  formExpiredTitle: 'This form has expired',
  formExpiredText: 'Open the page again and repeat what you did.',
  tooManyTitle: 'Too many attempts',
  tooManyText: 'Wait a few minutes, then try again.',
  badRequestTitle: 'That did not work',
  failedTitle: 'Something went wrong',
  failedText: 'Try again in a moment.',
  nothingChanged: 'Nothing was changed.',
  backHome: 'Back to the console',
};

const de: ConsoleTexts = {
  lang: 'de',
  skipToContent: 'Zum Inhalt springen',
  product: 'mailgate-Konsole',
  mainNav: 'Konsole',
  sections: { addresses: 'Adressen', suppressions: 'Sperren', forms: 'Anmeldeformulare', templates: 'Vorlagen', activity: 'Aktivität' },
  signedInAs: (email, role) => `Angemeldet als ${email} (${role})`,
  signOut: 'Abmelden',
  signInTitle: 'Bei der mailgate-Konsole anmelden',
  email: 'E-Mail',
  password: 'Passwort',
  signIn: 'Anmelden',
  signInFailed: 'E-Mail oder Passwort stimmen nicht.',
  homeTitle: 'Konsole',
  homeIntro: 'Wählen Sie, woran Sie arbeiten möchten.',
  searchLabel: 'E-Mail-Adresse',
  search: 'Suchen',
  searchHint: 'Die genaue Adresse; sie wird wie in der API normalisiert.',
  noRecordedState: 'Noch kein Zustand gespeichert: alle Arten nicht festgelegt.',
  invalidAddress: 'Das ist keine gültige E-Mail-Adresse.',
  results: 'Ergebnisse',
  addressTitle: (address) => `Adresse ${address}`,
  stateHeading: 'Zustand je Art',
  type: 'Art',
  stateColumn: 'Zustand',
  states: { subscribed: 'angemeldet', unsubscribed: 'abgemeldet', not_specified: 'nicht festgelegt' },
  optedOutOfAll: 'Von allem Marketing abgemeldet',
  yes: 'ja',
  no: 'nein',
  suppression: 'Sperre',
  none: 'keine',
  unsubscribe: 'Abmelden',
  unsubscribeFrom: (type) => `Von ${type} abmelden`,
  optOutAll: 'Von allem abmelden',
  optOutAllHeading: 'Von allem Marketing abmelden',
  resubscribeHeading: 'Wieder anmelden',
  resubscribeHint: 'Eine abgemeldete Adresse wieder anzumelden braucht eine Rechtsgrundlage und eine Begründung.',
  typesLegend: 'Anmelden für',
  clearOptOut: 'Abmeldung von allem Marketing aufheben',
  legalBasis: 'Rechtsgrundlage',
  chooseLegalBasis: 'Rechtsgrundlage wählen',
  explanation: 'Begründung',
  resubscribe: 'Wieder anmelden',
  chooseSomething: 'Wählen Sie mindestens eine Art oder heben Sie die Abmeldung auf.',
  liftHeading: 'Sperre aufheben',
  liftSuppression: 'Sperre aufheben',
  liftNeedsLegalBasis: 'Diese Adresse hat sich beschwert: Aufheben braucht auch eine Rechtsgrundlage.',
  timelineHeading: 'Einwilligungsverlauf',
  noEvents: 'Noch keine Einwilligungsereignisse.',
  source: 'Quelle',
  actor: 'Handelnde Person',
  ip: 'IP-Adresse',
  userAgent: 'User-Agent',
  change: 'Änderung',
  messagesHeading: 'Letzte Nachrichten',
  noMessages: 'Keine Nachrichten an diese Adresse.',
  message: 'Nachricht',
  template: 'Vorlage',
  kind: 'Art',
  status: 'Status',
  reason: 'Grund',
  created: 'Erstellt',
  refused: 'Abgelehnt: nichts geändert',
  done: {
    unsubscribed: 'Abgemeldet. Die Änderung steht im Einwilligungsverlauf.',
    opted_out: 'Von allem Marketing abgemeldet. Die Änderung steht im Einwilligungsverlauf.',
    resubscribed: 'Wieder angemeldet. Die Änderung steht im Einwilligungsverlauf.',
    lifted: 'Sperre aufgehoben. Die Änderung steht im Einwilligungsverlauf.',
    unchanged: 'Nichts zu ändern: Die Adresse war schon in diesem Zustand.',
  },
  suppressionsTitle: 'Sperren',
  reasonFilter: 'Grund',
  anyReason: 'Jeder Grund',
  since: 'Seit (Datum)',
  filter: 'Filtern',
  address: 'Adresse',
  at: 'Wann',
  detail: 'Detail',
  nextPage: 'Nächste Seite',
  noSuppressions: 'Keine passenden Sperren.',
  activityTitle: 'Aktivität',
  queueHeading: 'Versandwarteschlange',
  jobState: 'Job-Zustand',
  count: 'Anzahl',
  outcomesHeading: 'Versand und Unterdrückungen',
  outcomesNote: 'Gezählt von diesem API-Prozess seit seinem Start.',
  outcome: 'Ergebnis',
  failuresHeading: 'Letzte fehlgeschlagene Versandjobs',
  noFailures: 'Keine fehlgeschlagenen Jobs.',
  feedbackHeading: 'Rückmeldungen des Relays (Bounces, Beschwerden)',
  forbiddenTitle: 'Nicht für Ihre Rolle',
  forbiddenText: 'Ihr Konto darf diese Seite nicht verwenden.',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundText: 'Diese Konsolenseite gibt es nicht.',
  formExpiredTitle: 'Dieses Formular ist abgelaufen',
  formExpiredText: 'Öffnen Sie die Seite erneut und wiederholen Sie den Schritt.',
  tooManyTitle: 'Zu viele Versuche',
  tooManyText: 'Warten Sie einige Minuten und versuchen Sie es dann erneut.',
  badRequestTitle: 'Das hat nicht geklappt',
  failedTitle: 'Etwas ist schiefgegangen',
  failedText: 'Versuchen Sie es gleich noch einmal.',
  nothingChanged: 'Es wurde nichts geändert.',
  backHome: 'Zurück zur Konsole',
};

export const CONSOLE_TEXTS: Record<Locale, ConsoleTexts> = { en, de };
