import type { Locale } from '../shared/locale.ts';
import type { ConsoleSection } from './console-roles.ts';
import { de } from './console-texts-de.ts';
import { en } from './console-texts-en.ts';

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


export const CONSOLE_TEXTS: Record<Locale, ConsoleTexts> = { en, de };
