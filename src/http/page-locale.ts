import type { Request } from 'express';
import { LOCALES, isLocale, type Locale } from '../shared/locale.ts';

/**
 * The language a page speaks, for the recipient pages and the console alike: the one preferred (a
 * link token's locale, the form's `lang`) first, then the best of our locales in the browser's
 * Accept-Language (Express's negotiation), then English.
 */
export function pickLocale(preferred: unknown, req: Request): Locale {
  if (isLocale(preferred)) return preferred;
  const accepted = req.acceptsLanguages(...LOCALES);
  return isLocale(accepted) ? accepted : 'en';
}
