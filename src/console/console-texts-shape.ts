import type { Locale } from '../shared/locale.ts';
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
