import type { Locale } from '../shared/locale.ts';

/** Every word the recipient pages show, in English and German. */
export interface Texts {
  lang: string;
  otherLanguage: { locale: Locale; label: string };
  skipToContent: string;
  // preference page
  preferencesTitle: string;
  preferencesIntro: (address: string) => string;
  topicsLegend: string;
  state: { subscribed: string; unsubscribed: string; receiving: string; notSubscribed: string; paused: string };
  unsubscribe: string;
  subscribe: string;
  /** Accessible names of the per-type buttons (they contain the visible word). */
  unsubscribeFrom: (type: string) => string;
  subscribeTo: (type: string) => string;
  unsubscribeAllHeading: string;
  unsubscribeAllText: string;
  unsubscribeAllButton: string;
  optedOutBanner: string;
  transactionalNote: string;
  resubscribeLegend: string;
  resubscribeHint: string;
  resubscribeButton: string;
  chooseAtLeastOne: string;
  doneUnsubscribed: (type: string) => string;
  doneSubscribed: (type: string) => string;
  doneUnsubscribedAll: string;
  doneResubscribed: (types: string) => string;
  // one-click
  unsubscribeTitle: string;
  unsubscribeQuestion: (address: string, type: string) => string;
  unsubscribeButton: string;
  unsubscribedTitle: string;
  unsubscribedText: (address: string, type: string) => string;
  managePreferences: string;
  // re-subscribe form
  subscribeTitle: string;
  subscribeIntro: string;
  emailLabel: string;
  emailHint: string;
  invalidEmail: string;
  sendConfirmation: string;
  checkInboxTitle: string;
  checkInboxText: (address: string) => string;
  checkInboxNote: string;
  // confirmation
  confirmTitle: string;
  confirmText: (address: string) => string;
  confirmButton: string;
  confirmedTitle: string;
  confirmedText: (address: string) => string;
  alreadyConfirmedTitle: string;
  alreadyConfirmedText: string;
  // errors
  invalidLinkTitle: string;
  invalidLinkText: string;
  expiredLinkTitle: string;
  expiredLinkText: string;
  requestNewLink: string;
  formExpiredTitle: string;
  formExpiredText: string;
  badFormTitle: string;
  badFormText: string;
  tooLargeTitle: string;
  tooLargeText: string;
  tooManyTitle: string;
  tooManyText: string;
  failedTitle: string;
  failedText: string;
  notFoundTitle: string;
  notFoundText: string;
  nothingChanged: string;
}

const en: Texts = {
  lang: 'en',
  otherLanguage: { locale: 'de', label: 'Deutsch' },
  skipToContent: 'Skip to content',
  preferencesTitle: 'Email preferences',
  preferencesIntro: (address) => `Choose which emails ${address} receives from us.`,
  topicsLegend: 'Topics',
  state: { subscribed: 'Subscribed', unsubscribed: 'Unsubscribed', receiving: 'Receiving', notSubscribed: 'Not subscribed', paused: 'Paused' },
  unsubscribe: 'Unsubscribe',
  subscribe: 'Subscribe',
  unsubscribeFrom: (type) => `Unsubscribe from ${type}`,
  subscribeTo: (type) => `Subscribe to ${type}`,
  unsubscribeAllHeading: 'Unsubscribe from all',
  unsubscribeAllText: 'Stop every marketing email from us at once.',
  unsubscribeAllButton: 'Unsubscribe from all',
  optedOutBanner: 'You have unsubscribed from all marketing emails.',
  transactionalNote: 'You will still receive emails you need, such as receipts and password resets.',
  resubscribeLegend: 'Subscribe again',
  resubscribeHint: 'Choose what you would like to receive:',
  resubscribeButton: 'Subscribe again',
  chooseAtLeastOne: 'Choose at least one topic.',
  doneUnsubscribed: (type) => `You have unsubscribed from ${type}.`,
  doneSubscribed: (type) => `You have subscribed to ${type}.`,
  doneUnsubscribedAll: 'You have unsubscribed from all marketing emails.',
  doneResubscribed: (types) => `Welcome back! You are subscribed to: ${types}.`,
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeQuestion: (address, type) => `Stop sending “${type}” to ${address}?`,
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedText: (address, type) => `${address} will no longer receive “${type}”.`,
  managePreferences: 'Manage all email preferences',
  subscribeTitle: 'Subscribe to our emails',
  subscribeIntro: 'Choose what you would like to receive. We will send you an email to confirm — nothing changes until you click its link.',
  emailLabel: 'Email address',
  emailHint: 'For example name@example.com',
  invalidEmail: 'Enter a valid email address, like name@example.com.',
  sendConfirmation: 'Send confirmation email',
  checkInboxTitle: 'Check your inbox',
  checkInboxText: (address) => `If ${address} can receive email, a confirmation link is on its way.`,
  checkInboxNote: 'The link is valid for 48 hours. Nothing changes until you confirm.',
  confirmTitle: 'Confirm your subscription',
  confirmText: (address) => `Subscribe ${address} to:`,
  confirmButton: 'Confirm subscription',
  confirmedTitle: 'You are subscribed',
  confirmedText: (address) => `Thank you! ${address} will receive:`,
  alreadyConfirmedTitle: 'Already confirmed',
  alreadyConfirmedText: 'This confirmation link has already been used. Nothing was changed.',
  invalidLinkTitle: 'This link is not valid',
  invalidLinkText: 'Please use the link exactly as it appears in the email.',
  expiredLinkTitle: 'This link has expired',
  expiredLinkText: 'Confirmation links are valid for 48 hours.',
  requestNewLink: 'Request a new confirmation email',
  formExpiredTitle: 'This form has expired',
  formExpiredText: 'For your security, please reload the page and try again.',
  badFormTitle: 'The form could not be read',
  badFormText: 'Please go back, reload the page and try again.',
  tooLargeTitle: 'The form is too large',
  tooLargeText: 'Please go back and try again.',
  tooManyTitle: 'Too many requests',
  tooManyText: 'Please wait a while before trying again.',
  failedTitle: 'Something went wrong',
  failedText: 'Please try again in a few minutes.',
  notFoundTitle: 'Page not found',
  notFoundText: 'Please check the address of the page.',
  nothingChanged: 'Nothing was changed.',
};

const de: Texts = {
  lang: 'de',
  otherLanguage: { locale: 'en', label: 'English' },
  skipToContent: 'Zum Inhalt springen',
  preferencesTitle: 'E-Mail-Einstellungen',
  preferencesIntro: (address) => `Wählen Sie, welche E-Mails ${address} von uns erhält.`,
  topicsLegend: 'Themen',
  state: { subscribed: 'Abonniert', unsubscribed: 'Abbestellt', receiving: 'Wird zugestellt', notSubscribed: 'Nicht abonniert', paused: 'Pausiert' },
  unsubscribe: 'Abbestellen',
  subscribe: 'Abonnieren',
  unsubscribeFrom: (type) => `${type} abbestellen`,
  subscribeTo: (type) => `${type} abonnieren`,
  unsubscribeAllHeading: 'Alles abbestellen',
  unsubscribeAllText: 'Keine Werbe-E-Mails mehr von uns – mit einem Klick.',
  unsubscribeAllButton: 'Alles abbestellen',
  optedOutBanner: 'Sie haben alle Werbe-E-Mails abbestellt.',
  transactionalNote: 'Notwendige E-Mails wie Rechnungen oder das Zurücksetzen Ihres Passworts erhalten Sie weiterhin.',
  resubscribeLegend: 'Wieder abonnieren',
  resubscribeHint: 'Wählen Sie, was Sie erhalten möchten:',
  resubscribeButton: 'Wieder abonnieren',
  chooseAtLeastOne: 'Bitte wählen Sie mindestens ein Thema.',
  doneUnsubscribed: (type) => `Sie haben „${type}“ abbestellt.`,
  doneSubscribed: (type) => `Sie haben „${type}“ abonniert.`,
  doneUnsubscribedAll: 'Sie haben alle Werbe-E-Mails abbestellt.',
  doneResubscribed: (types) => `Willkommen zurück! Sie haben abonniert: ${types}.`,
  unsubscribeTitle: 'Abbestellen',
  unsubscribeQuestion: (address, type) => `„${type}“ nicht mehr an ${address} senden?`,
  unsubscribeButton: 'Abbestellen',
  unsubscribedTitle: 'Abbestellt',
  unsubscribedText: (address, type) => `${address} erhält „${type}“ nicht mehr.`,
  managePreferences: 'Alle E-Mail-Einstellungen verwalten',
  subscribeTitle: 'Unsere E-Mails abonnieren',
  subscribeIntro:
    'Wählen Sie aus, was Sie erhalten möchten. Wir senden Ihnen eine E-Mail zur Bestätigung – erst mit einem Klick auf deren Link ändert sich etwas.',
  emailLabel: 'E-Mail-Adresse',
  emailHint: 'Zum Beispiel name@example.com',
  invalidEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.',
  sendConfirmation: 'Bestätigungs-E-Mail senden',
  checkInboxTitle: 'Bitte prüfen Sie Ihr Postfach',
  checkInboxText: (address) => `Falls ${address} E-Mails empfangen kann, ist ein Bestätigungslink unterwegs.`,
  checkInboxNote: 'Der Link ist 48 Stunden gültig. Bis zur Bestätigung ändert sich nichts.',
  confirmTitle: 'Abonnement bestätigen',
  confirmText: (address) => `${address} für folgende Themen anmelden:`,
  confirmButton: 'Abonnement bestätigen',
  confirmedTitle: 'Anmeldung bestätigt',
  confirmedText: (address) => `Vielen Dank! ${address} erhält:`,
  alreadyConfirmedTitle: 'Bereits bestätigt',
  alreadyConfirmedText: 'Dieser Bestätigungslink wurde bereits verwendet. Es wurde nichts geändert.',
  invalidLinkTitle: 'Dieser Link ist ungültig',
  invalidLinkText: 'Bitte verwenden Sie den Link genau so, wie er in der E-Mail steht.',
  expiredLinkTitle: 'Dieser Link ist abgelaufen',
  expiredLinkText: 'Bestätigungslinks sind 48 Stunden gültig.',
  requestNewLink: 'Neue Bestätigungs-E-Mail anfordern',
  formExpiredTitle: 'Dieses Formular ist abgelaufen',
  formExpiredText: 'Bitte laden Sie die Seite zu Ihrer Sicherheit neu und versuchen Sie es noch einmal.',
  badFormTitle: 'Das Formular konnte nicht gelesen werden',
  badFormText: 'Bitte gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.',
  tooLargeTitle: 'Das Formular ist zu groß',
  tooLargeText: 'Bitte gehen Sie zurück und versuchen Sie es noch einmal.',
  tooManyTitle: 'Zu viele Anfragen',
  tooManyText: 'Bitte warten Sie eine Weile, bevor Sie es erneut versuchen.',
  failedTitle: 'Etwas ist schiefgelaufen',
  failedText: 'Bitte versuchen Sie es in ein paar Minuten noch einmal.',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundText: 'Bitte prüfen Sie die Adresse der Seite.',
  nothingChanged: 'Es wurde nichts geändert.',
};

export const TEXTS: Record<Locale, Texts> = { en, de };
