import { z } from 'zod';

import { MESSAGE_KINDS } from '../shared/message-kinds.ts';
import type { TemplateSource } from '../shared/template-authoring.ts';

/** 512 KB of source (MJML, subjects, strings and sample data as JSON): larger is refused with 413. */
export const MAX_SOURCE_BYTES = 512 * 1024;

/** A stored template's name: the same rule as a file template's folder name. */
export const STORED_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const perLocale = <T extends z.ZodType>(value: T) => z.object({ en: value, de: value }).strict();

/**
 * The shape of a TemplateSource at every boundary (API body, stored JSON). The rules about what
 * the content may say (subjects not empty, known type, no script) are the checker's, so that a
 * draft may be saved half-written and the findings shown at their lines.
 */
export const templateSourceSchema = z
  .object({
    kind: z.enum(MESSAGE_KINDS),
    subscriptionType: z.string().min(1).max(100).optional(),
    subject: perLocale(z.string().max(1000)),
    mjml: z.string(),
    strings: perLocale(z.record(z.string().max(100), z.string())),
    sampleData: z.record(z.string(), z.unknown()),
  })
  .strict() satisfies z.ZodType<TemplateSource>;

export const sourceBytes = (source: TemplateSource): number => Buffer.byteLength(JSON.stringify(source), 'utf8');

/** Parses a source stored by this code; a row that no longer parses is a bug, not input. */
export function parseStoredSource(json: string): TemplateSource {
  return templateSourceSchema.parse(JSON.parse(json)) as TemplateSource;
}

