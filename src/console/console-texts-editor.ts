import type { Locale } from '../shared/locale.ts';

/**
 * The words of the template editor and the templates list, in English and German. Kept apart from
 * console-texts-en/de.ts so that the editor's words stay together and the shared files stay small.
 */
export interface EditorTexts {
  newTemplate: string;
  createTemplate: string;
  origin: string;
  originNames: { file: string; stored: string };
  status: string;
  published: (version: number) => string;
  neverPublished: string;
  draftChanged: string;
  lastEditor: string;
  copyToEdit: string;
  copyName: string;
  edit: string;
  view: string;
  editorTitle: (name: string) => string;
  newTitle: string;
  sourceHeading: string;
  templateName: string;
  nameHint: string;
  kind: string;
  subscriptionType: string;
  noSubscriptionType: string;
  subjectIn: (language: string) => string;
  mjml: string;
  mjmlHint: string;
  stringsIn: (language: string) => string;
  stringsHint: string;
  sampleData: string;
  previewLocale: string;
  previewButton: string;
  saveDraft: string;
  publishNote: string;
  publish: string;
  revision: (revision: number, by: string, at: string) => string;
  previewHeading: (language: string) => string;
  previewFrame: (name: string, language: string) => string;
  previewSubject: string;
  noPreview: string;
  findingsHeading: string;
  noFindings: string;
  findingAt: (field: string, line?: number) => string;
  saved: (revision: number) => string;
  publishedAs: (version: number) => string;
  /** "Send me a test": the newest published version, with the form's sample data, to the operator. */
  sendTest: string;
  testSent: (to: string, version: number) => string;
  testNeedsPublish: string;
  draftConflict: (by: string, at: string) => string;
  invalidJson: (field: string, detail: string) => string;
  notAnObject: (field: string) => string;
  notStrings: (field: string) => string;
  badName: string;
  fieldRequired: (field: string) => string;
  versionsHeading: string;
  noVersions: string;
  version: string;
  author: string;
  when: string;
  note: string;
  restoredFrom: (version: number) => string;
  restore: string;
  restoreNote: (version: number) => string;
  restored: (from: number, version: number) => string;
  diffHeading: string;
  diffFrom: string;
  diffTo: string;
  draft: string;
  showDiff: string;
  diffTitle: (name: string, from: string, to: string) => string;
  noDifference: string;
  backToEditor: string;
}

const en: EditorTexts = {
  newTemplate: 'New template',
  createTemplate: 'Create template',
  origin: 'Origin',
  originNames: { file: 'File (read-only)', stored: 'Console' },
  status: 'Status',
  published: (v) => `Published version ${v}`,
  neverPublished: 'Not published yet',
  draftChanged: 'draft has unpublished changes',
  lastEditor: 'Last edited by',
  copyToEdit: 'Copy to edit',
  copyName: 'Name of the copy',
  edit: 'Edit',
  view: 'View',
  editorTitle: (name) => `Edit template ${name}`,
  newTitle: 'New template',
  sourceHeading: 'Source',
  templateName: 'Template name',
  nameHint: 'Lower-case letters, digits, dashes and underscores, e.g. spring-offer.',
  kind: 'Kind',
  subscriptionType: 'Subscription type (marketing only)',
  noSubscriptionType: '(none)',
  subjectIn: (language) => `Subject (${language})`,
  mjml: 'MJML source',
  mjmlHint: 'Texts come from the strings below as {{t.key}}; data as {{name}}.',
  stringsIn: (language) => `Strings (${language}, JSON)`,
  stringsHint: 'A JSON object of texts, e.g. {"greeting": "Hello"}.',
  sampleData: 'Sample data (JSON)',
  previewLocale: 'Preview language',
  previewButton: 'Preview',
  saveDraft: 'Save draft',
  publishNote: 'Publish note',
  publish: 'Publish',
  revision: (r, by, at) => `Draft revision ${r}, saved by ${by} at ${at}.`,
  previewHeading: (language) => `Preview (${language})`,
  previewFrame: (name, language) => `Preview of ${name} in ${language}`,
  previewSubject: 'Subject',
  noPreview: 'Press “Preview” to render the source as it is in the form.',
  findingsHeading: 'Checker findings',
  noFindings: 'The checker found nothing.',
  findingAt: (field, line) => (line ? `${field}, line ${line}` : field),
  saved: (r) => `Draft saved (revision ${r}).`,
  publishedAs: (v) => `Published as version ${v}.`,
  sendTest: 'Send me a test',
  testSent: (to, v) => `A test of version ${v} is on its way to ${to}.`,
  testNeedsPublish: 'A test sends the published version: publish the template first.',
  draftConflict: (by, at) => `Someone else saved this template meanwhile: ${by} at ${at}. Your text is still in the form; copy what you need, reload, and save again.`,
  invalidJson: (field, detail) => `${field} is not valid JSON: ${detail}`,
  notAnObject: (field) => `${field} must be a JSON object.`,
  notStrings: (field) => `${field} must be a JSON object of texts (every value a string).`,
  badName: 'A template name is 1–63 lower-case letters, digits, dashes and underscores, starting with a letter or digit.',
  fieldRequired: (field) => `${field} is required.`,
  versionsHeading: 'Versions',
  noVersions: 'No version published yet.',
  version: 'Version',
  author: 'Author',
  when: 'When',
  note: 'Note',
  restoredFrom: (v) => `(restores version ${v})`,
  restore: 'Restore',
  restoreNote: (v) => `Restore version ${v}`,
  restored: (from, v) => `Version ${from} restored as version ${v}.`,
  diffHeading: 'Compare versions',
  diffFrom: 'From',
  diffTo: 'To',
  draft: 'Current draft',
  showDiff: 'Show differences',
  diffTitle: (name, from, to) => `${name}: ${from} → ${to}`,
  noDifference: 'The two are the same.',
  backToEditor: 'Back to the editor',
};

const de: EditorTexts = {
  newTemplate: 'Neue Vorlage',
  createTemplate: 'Vorlage anlegen',
  origin: 'Herkunft',
  originNames: { file: 'Datei (schreibgeschützt)', stored: 'Konsole' },
  status: 'Status',
  published: (v) => `Veröffentlichte Version ${v}`,
  neverPublished: 'Noch nicht veröffentlicht',
  draftChanged: 'Entwurf mit unveröffentlichten Änderungen',
  lastEditor: 'Zuletzt bearbeitet von',
  copyToEdit: 'Zum Bearbeiten kopieren',
  copyName: 'Name der Kopie',
  edit: 'Bearbeiten',
  view: 'Ansehen',
  editorTitle: (name) => `Vorlage ${name} bearbeiten`,
  newTitle: 'Neue Vorlage',
  sourceHeading: 'Quelltext',
  templateName: 'Name der Vorlage',
  nameHint: 'Kleinbuchstaben, Ziffern, Binde- und Unterstriche, z. B. fruehlings-angebot.',
  kind: 'Art',
  subscriptionType: 'Abonnementtyp (nur Marketing)',
  noSubscriptionType: '(keiner)',
  subjectIn: (language) => `Betreff (${language})`,
  mjml: 'MJML-Quelltext',
  mjmlHint: 'Texte kommen aus den Texten unten als {{t.schluessel}}, Daten als {{name}}.',
  stringsIn: (language) => `Texte (${language}, JSON)`,
  stringsHint: 'Ein JSON-Objekt mit Texten, z. B. {"greeting": "Hallo"}.',
  sampleData: 'Beispieldaten (JSON)',
  previewLocale: 'Sprache der Vorschau',
  previewButton: 'Vorschau',
  saveDraft: 'Entwurf speichern',
  publishNote: 'Notiz zur Veröffentlichung',
  publish: 'Veröffentlichen',
  revision: (r, by, at) => `Entwurf Revision ${r}, gespeichert von ${by} am ${at}.`,
  previewHeading: (language) => `Vorschau (${language})`,
  previewFrame: (name, language) => `Vorschau von ${name} auf ${language}`,
  previewSubject: 'Betreff',
  noPreview: '„Vorschau“ zeigt den Quelltext so, wie er im Formular steht.',
  findingsHeading: 'Befunde der Prüfung',
  noFindings: 'Die Prüfung hat nichts gefunden.',
  findingAt: (field, line) => (line ? `${field}, Zeile ${line}` : field),
  saved: (r) => `Entwurf gespeichert (Revision ${r}).`,
  publishedAs: (v) => `Als Version ${v} veröffentlicht.`,
  sendTest: 'Test an mich senden',
  testSent: (to, v) => `Ein Test der Version ${v} ist unterwegs an ${to}.`,
  testNeedsPublish: 'Ein Test sendet die veröffentlichte Version: veröffentlichen Sie die Vorlage zuerst.',
  draftConflict: (by, at) => `Jemand anderes hat diese Vorlage inzwischen gespeichert: ${by} am ${at}. Ihr Text steht noch im Formular; kopieren Sie, was Sie brauchen, laden Sie neu und speichern Sie erneut.`,
  invalidJson: (field, detail) => `${field} ist kein gültiges JSON: ${detail}`,
  notAnObject: (field) => `${field} muss ein JSON-Objekt sein.`,
  notStrings: (field) => `${field} muss ein JSON-Objekt mit Texten sein (jeder Wert ein String).`,
  badName: 'Ein Vorlagenname hat 1–63 Kleinbuchstaben, Ziffern, Binde- und Unterstriche und beginnt mit einem Buchstaben oder einer Ziffer.',
  fieldRequired: (field) => `${field} ist erforderlich.`,
  versionsHeading: 'Versionen',
  noVersions: 'Noch keine Version veröffentlicht.',
  version: 'Version',
  author: 'Autor',
  when: 'Wann',
  note: 'Notiz',
  restoredFrom: (v) => `(stellt Version ${v} wieder her)`,
  restore: 'Wiederherstellen',
  restoreNote: (v) => `Version ${v} wiederhergestellt`,
  restored: (from, v) => `Version ${from} als Version ${v} wiederhergestellt.`,
  diffHeading: 'Versionen vergleichen',
  diffFrom: 'Von',
  diffTo: 'Bis',
  draft: 'Aktueller Entwurf',
  showDiff: 'Unterschiede zeigen',
  diffTitle: (name, from, to) => `${name}: ${from} → ${to}`,
  noDifference: 'Beide sind gleich.',
  backToEditor: 'Zurück zum Editor',
};

export const EDITOR_TEXTS: Record<Locale, EditorTexts> = { en, de };
