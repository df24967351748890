import type { Locale } from '../shared/locale.ts';
import { de } from './console-texts-de.ts';
import { en } from './console-texts-en.ts';
import type { ConsoleTexts } from './console-texts-shape.ts';

export type { ConsoleTexts } from './console-texts-shape.ts';

/** Every word the console shows, in English and German. */
export const CONSOLE_TEXTS: Record<Locale, ConsoleTexts> = { en, de };
