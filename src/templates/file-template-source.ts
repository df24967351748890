import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateSource } from '../shared/template-authoring.ts';
import { sampleDataSchema, templateMetaSchema } from './template-meta.ts';

/**
 * A file template's folder as a TemplateSource, for "copy to edit" and `npm run templates -- push`.
 * What a stored template has no place for is left behind and named in `dropped`: `required` (the
 * enqueue-time data check finds the fields itself), a hand-written text part, per-locale samples.
 */
export function readFileTemplateSource(folder: string): { source: TemplateSource; dropped: string[] } | undefined {
  const metaFile = join(folder, 'meta.json');
  if (!existsSync(metaFile) || !existsSync(join(folder, 'template.mjml'))) return undefined;
  const meta = templateMetaSchema.parse(JSON.parse(readFileSync(metaFile, 'utf8')));
  const sampleData = existsSync(join(folder, 'sample.json')) ? sampleDataSchema.parse(JSON.parse(readFileSync(join(folder, 'sample.json'), 'utf8'))) : {};
  const dropped = [
    meta.required.length > 0 && 'required (meta.json)',
    meta.text !== undefined && `the hand-written text part (${meta.text})`,
    ...['en', 'de'].map((l) => existsSync(join(folder, `sample.${l}.json`)) && `sample.${l}.json`),
  ].filter((x): x is string => typeof x === 'string');
  return {
    source: {
      kind: meta.kind,
      ...(meta.subscriptionType ? { subscriptionType: meta.subscriptionType } : {}),
      subject: meta.subject,
      mjml: readFileSync(join(folder, 'template.mjml'), 'utf8'),
      strings: meta.strings ?? { en: {}, de: {} },
      sampleData,
    },
    dropped,
  };
}
