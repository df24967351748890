/** The languages mailgate speaks (templates, recipient pages, console). Used by every domain. */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
