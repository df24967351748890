import { LOCALES, type Locale } from '../templates/types.ts';

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

/** The best of our locales in an Accept-Language header (by q-value, then order), or undefined. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  let best: { locale: Locale; q: number } | undefined;
  for (const part of header.slice(0, 512).split(',')) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (!isLocale(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { locale: primary, q };
  }
  return best?.locale;
}

/** The message's locale (from its token) first, then the browser's preference, then English. */
export function pickLocale(preferred: unknown, acceptLanguage: string | undefined): Locale {
  if (isLocale(preferred)) return preferred;
  return fromAcceptLanguage(acceptLanguage) ?? 'en';
}
