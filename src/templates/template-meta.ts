import { z } from 'zod';
import { MESSAGE_KINDS } from '../subscriptions/index.ts';

const perLocale = <T extends z.ZodType>(value: T) => z.object({ en: value, de: value }).strict();

/** `templates/<name>/meta.json`. */
export const templateMetaSchema = z
  .object({
    kind: z.enum(MESSAGE_KINDS),
    /** Required for marketing templates; must be an id in subscription-types.json. */
    subscriptionType: z.string().min(1).optional(),
    /** Subject per locale; Handlebars, filled with the same data as the body. */
    subject: perLocale(z.string().trim().min(1, 'must not be empty')),
    /** Top-level data fields every message must carry (checked before rendering). */
    required: z.array(z.string().min(1)).default([]),
    /** Per-locale strings, available in the template as `{{t.key}}`; both locales need the same keys. */
    strings: perLocale(z.record(z.string(), z.string())).optional(),
    /** A hand-written text version (file name in the template's folder) instead of the one derived from the HTML. */
    text: z.string().regex(/^[\w.-]+$/, 'a file name in the template folder').optional(),
  })
  .strict()
  .superRefine((meta, ctx) => {
    if (meta.kind === 'marketing' && !meta.subscriptionType) {
      ctx.addIssue({ code: 'custom', path: ['subscriptionType'], message: 'marketing templates must name a subscriptionType' });
    }
    if (meta.kind !== 'marketing' && meta.subscriptionType) {
      ctx.addIssue({ code: 'custom', path: ['subscriptionType'], message: 'only marketing templates have a subscriptionType' });
    }
    if (meta.strings) {
      const en = Object.keys(meta.strings.en).sort().join(',');
      const de = Object.keys(meta.strings.de).sort().join(',');
      if (en !== de) ctx.addIssue({ code: 'custom', path: ['strings'], message: 'strings.en and strings.de must have the same keys' });
    }
  });

export type TemplateMeta = z.infer<typeof templateMetaSchema>;

export const sampleDataSchema = z.record(z.string(), z.unknown());
