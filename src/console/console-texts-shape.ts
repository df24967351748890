import type { Locale } from '../shared/locale.ts';
import type { ProviderGroup, ReputationWindow } from '../shared/deliverability.ts';
import type { ConsoleSection } from './console-roles.ts';

/**
 * Every word the console shows. Each language fills it in (console-texts-en.ts, -de.ts) and
 * console-texts.ts holds the table of them; the shape lives apart from the table, so a language
 * never imports the file that imports it.
 */
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
  decision: string;
  consentEvent: string;
  /** The link from a message row to the consent event its decision rests on. */
  consentEventLink: (version: number) => string;
  noConsentEvent: string;
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
  stream: string;
  relay: string;
  limits: string;
  streamNow: string;
  unlimited: string;
  sending: string;
  throttledUntil: string;
  /** A stream sending through its fallback relay. */
  failedOver: string;
  limitReachedUntil: (window: string) => string;
  count: string;
  outcomesHeading: string;
  outcomesNote: string;
  outcome: string;
  failuresHeading: string;
  noFailures: string;
  feedbackHeading: string;
  lastHourHeading: string;
  bouncesHeading: string;
  noBounces: string;
  /** Counter label values (kind, outcome, reason, feedback type, provider) in an operator's words. */
  counters: CounterTexts;
  // subscription forms
  formId: string;
  formIdHint: string;
  titleEn: string;
  titleDe: string;
  introEn: string;
  introDe: string;
  formTypes: string;
  formTitle: string;
  createFormHeading: string;
  createForm: string;
  editFormHeading: string;
  editFormTitle: (id: string) => string;
  save: string;
  enable: string;
  disable: string;
  enableForm: (id: string) => string;
  disableForm: (id: string) => string;
  enabled: string;
  publicUrl: string;
  snippet: string;
  snippetHint: string;
  noForms: string;
  allForms: string;
  formDone: Record<string, string>;
  // templates
  name: string;
  subscriptionType: string;
  findings: string;
  noFindings: string;
  templateTitle: (name: string) => string;
  locale: string;
  localeNames: Record<Locale, string>;
  data: string;
  dataHint: string;
  dataHeading: string;
  preview: string;
  sendTest: string;
  previewHeading: (locale: string) => string;
  previewFrame: (name: string, locale: string) => string;
  subject: string;
  invalidJson: (detail: string) => string;
  dataNotObject: string;
  previewFailed: string;
  testSent: (email: string) => string;
  allTemplates: string;
  deliverability: DeliverabilityTexts;
  // errors
  forbiddenTitle: string;
  forbiddenText: string;
  notFoundTitle: string;
  notFoundText: string;
  formExpiredTitle: string;
  formExpiredText: string;
  tooManyTitle: string;
  tooManyText: string;
  emailTooLong: string;
  badRequestTitle: string;
  failedTitle: string;
  failedText: string;
  nothingChanged: string;
  backHome: string;
}

/** The words for the activity page's counters; a value not listed here is shown as itself (activity-words.ts). */
export interface CounterTexts {
  kinds: Record<string, string>;
  outcomes: Record<string, string>;
  /** Why a message was suppressed or failed (decision rules, failure reasons). */
  reasons: Record<string, string>;
  feedbackTypes: Record<string, string>;
  providers: Record<string, string>;
  /** A send queue's job states (the activity page's stream table). */
  queueStates: Record<'waiting' | 'active' | 'delayed' | 'failed', string>;
  /** A label this console has no words for: its name and value, readably. */
  other: (label: string, value: string) => string;
}

/** The deliverability page (docs/rules.md §13). Figures arrive formatted (rates as percentages). */
export interface DeliverabilityTexts {
  title: string;
  intro: string;
  thresholds: (o: { warnComplaint: string; pauseComplaint: string; warnBounce: string; pauseBounce: string; minVolume: string }) => string;
  generatedAt: (when: string) => string;
  noStreams: string;
  streamHeading: (stream: string) => string;
  stateLabel: string;
  states: Record<'ok' | 'warn' | 'paused', string>;
  since: string;
  pausedByLabel: string;
  theGuard: string;
  reasonLabel: string;
  pausedBanner: (stream: string, since: string, by: string) => string;
  pausedFigures: (o: { window: string; sends: string; complaints: string; complaintRate: string; hardBounces: string; hardBounceRate: string }) => string;
  complaintsFrom: string;
  templateLine: (o: { template: string; type?: string; complaints: string; sends: string; rate: string }) => string;
  warnBanner: (stream: string) => string;
  windows: Record<ReputationWindow, string>;
  providers: Record<ProviderGroup | 'all', string>;
  tableCaption: (stream: string) => string;
  providerColumn: string;
  windowColumn: string;
  sends: string;
  hardBounces: string;
  softBounces: string;
  complaints: string;
  complaintRate: string;
  hardBounceRate: string;
  chartHeading: string;
  complaintChart: (stream: string) => string;
  bounceChart: (stream: string) => string;
  chartSummary: (o: { days: number; maxRate: string; lines: string }) => string;
  warnLine: (rate: string) => string;
  pauseLine: (rate: string) => string;
  chartTable: string;
  day: string;
  noSends: string;
  historyHeading: string;
  noHistory: string;
  actions: Record<'warned' | 'paused' | 'resumed', string>;
  topTemplatesHeading: string;
  noTopTemplates: string;
  pauseHeading: string;
  pauseHint: string;
  pause: string;
  pauseStream: (stream: string) => string;
  resumeHeading: string;
  resumeHint: string;
  resume: string;
  resumeStream: (stream: string) => string;
  explanationRequired: string;
  explanationTooLong: (max: string) => string;
  done: Record<'paused' | 'resumed', (stream: string) => string>;
}
