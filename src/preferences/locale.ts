import type { Request } from 'express';
import { LOCALES, isLocale, type Locale } from '../shared/locale.ts';

/**
 * The message's locale (from its token) first, then the best of our locales in the browser's
 * Accept-Language (Express's negotiation), then English.
 */
export function pickLocale(preferred: unknown, req: Request): Locale {
  if (isLocale(preferred)) return preferred;
  const accepted = req.acceptsLanguages(...LOCALES);
  return isLocale(accepted) ? accepted : 'en';
}
