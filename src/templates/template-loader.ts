import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile as compileHtmlToText } from 'html-to-text';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import { compileHtml, compilePlain, hb, lintHandlebars, type CompiledHbs } from './handlebars-env.ts';
import { compileMjml } from './mjml-compiler.ts';
import { sampleDataSchema, templateMetaSchema } from './template-meta.ts';
import { TEXT_FOOTER } from './footer.ts';
import { templateRequiredFields } from './required-fields.ts';
import { LOCALES, type Locale, type TemplateInfo } from './types.ts';

/** One problem found while loading templates; `file` is relative to the working directory as given. */
export interface TemplateProblem {
  file: string;
  line?: number;
  message: string;
}

/** A template ready to fill: everything expensive (MJML, parsing, text derivation) is done. */
export interface CompiledTemplate {
  info: TemplateInfo;
  /** Sample data per locale: `sample.json`, or `sample.<locale>.json` where a template ships one. */
  samples: Record<Locale, Record<string, unknown>>;
  /** meta.json's `required` as written; `requiredFields` includes it. */
  required: string[];
  /** Every data path the template cannot render without, per locale (required-fields.ts). */
  requiredFields: Record<Locale, string[]>;
  strings: Record<Locale, Record<string, string>>;
  subject: Record<Locale, CompiledHbs>;
  html: CompiledHbs;
  text: CompiledHbs;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const FOOTER_PARTIAL = 'footer.mjml';

/** Text derived once from the compiled HTML: Handlebars expressions survive as text, the HTML footer is skipped. */
export const htmlToText = compileHtmlToText({
  wordwrap: false,
  selectors: [
    { selector: '.mg-footer', format: 'skip' },
    { selector: 'div[style*="display:none"]', format: 'skip' }, // the preheader (mj-preview)
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ...['h1', 'h2', 'h3', 'h4'].map((h) => ({ selector: h, options: { uppercase: false } })),
  ],
});

const readJson = (file: string): { ok: true; value: unknown } | { ok: false; message: string } => {
  try {
    return { ok: true, value: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
};

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/**
 * Reads and compiles every `templates/<name>/` folder. Collects every problem instead of stopping
 * at the first, so `npm run templates -- check` can list them all; callers refuse to start on any.
 */
export async function compileTemplates(deps: { dir: string; catalog: SubscriptionCatalog }): Promise<{ templates: CompiledTemplate[]; problems: TemplateProblem[] }> {
  const { dir, catalog } = deps;
  const problems: TemplateProblem[] = [];
  const templates: CompiledTemplate[] = [];
  const partialsDir = join(dir, '_partials');

  if (!existsSync(join(partialsDir, FOOTER_PARTIAL))) {
    problems.push({ file: join(partialsDir, FOOTER_PARTIAL), message: 'the footer partial is missing: every email needs it' });
  }
  if (existsSync(partialsDir)) {
    for (const entry of readdirSync(partialsDir).filter((f) => f.endsWith('.mjml')).sort()) {
      const file = join(partialsDir, entry);
      for (const p of lintHandlebars(readFileSync(file, 'utf8'))) problems.push({ file, line: p.line, message: p.message });
    }
  }

  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();

  for (const name of folders) {
    const folder = join(dir, name);
    const before = problems.length;
    const problem = (file: string, message: string, line?: number) => problems.push({ file: join(folder, file), message, ...(line ? { line } : {}) });
    if (!NAME.test(name)) problem('', 'template folder names are lower-case letters, digits, - and _');

    // meta.json
    const metaJson = readJson(join(folder, 'meta.json'));
    const meta = metaJson.ok ? templateMetaSchema.safeParse(metaJson.value) : undefined;
    if (!metaJson.ok) problem('meta.json', existsSync(join(folder, 'meta.json')) ? `invalid JSON: ${metaJson.message}` : 'missing meta.json');
    else if (!meta?.success) {
      for (const issue of meta?.error.issues ?? []) problem('meta.json', `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    } else if (meta.data.subscriptionType && !catalog.has(meta.data.subscriptionType)) {
      problem('meta.json', `unknown subscription type "${meta.data.subscriptionType}" (not in subscription-types.json)`);
    }

    // sample.json
    const sampleJson = readJson(join(folder, 'sample.json'));
    const sample = sampleJson.ok ? sampleDataSchema.safeParse(sampleJson.value) : undefined;
    if (!sampleJson.ok) problem('sample.json', existsSync(join(folder, 'sample.json')) ? `invalid JSON: ${sampleJson.message}` : 'missing sample.json (example data that renders the template)');
    else if (!sample?.success) problem('sample.json', 'sample data must be a JSON object');
    const localeSamples: Partial<Record<Locale, Record<string, unknown>>> = {};
    for (const locale of LOCALES) {
      const file = `sample.${locale}.json`;
      if (!existsSync(join(folder, file))) continue;
      const json = readJson(join(folder, file));
      const parsed = json.ok ? sampleDataSchema.safeParse(json.value) : undefined;
      if (!json.ok) problem(file, `invalid JSON: ${json.message}`);
      else if (!parsed?.success) problem(file, 'sample data must be a JSON object');
      else localeSamples[locale] = parsed.data;
    }

    // template.mjml: Handlebars first (line numbers are the author's), then MJML with the footer
    const mjmlFile = join(folder, 'template.mjml');
    let html: string | undefined;
    if (!existsSync(mjmlFile)) problem('template.mjml', 'missing template.mjml');
    else {
      const source = readFileSync(mjmlFile, 'utf8');
      const lint = lintHandlebars(source);
      for (const p of lint) problem('template.mjml', p.message, p.line);
      const compiled = await compileMjml(source, mjmlFile, partialsDir);
      if ('problems' in compiled) {
        for (const p of compiled.problems) {
          if (p.file) problems.push({ file: p.file, message: `${p.message} (included from ${mjmlFile})`, ...(p.line ? { line: p.line } : {}) });
          else problem('template.mjml', p.message, p.line);
        }
      } else if (lint.length === 0) {
        try {
          hb.parse(compiled.html);
          html = compiled.html;
        } catch (err) {
          problem('template.mjml', `after MJML compile the Handlebars blocks no longer match (${firstLine(err)}); wrap {{#…}} and {{/…}} that sit between MJML sections in <mj-raw>`);
        }
      }
    }

    // subjects and the optional hand-written text version
    if (meta?.success) {
      for (const locale of LOCALES) {
        for (const p of lintHandlebars(meta.data.subject[locale])) problem('meta.json', `subject.${locale}: ${p.message}`);
      }
      if (meta.data.text) {
        const textFile = join(folder, meta.data.text);
        if (!existsSync(textFile)) problem(meta.data.text, 'the text version named in meta.json is missing');
        else for (const p of lintHandlebars(readFileSync(textFile, 'utf8'))) problem(meta.data.text, p.message, p.line);
      }
    }

    if (problems.length > before || !meta?.success || !sample?.success || html === undefined) continue;
    const m = meta.data;
    const textSource = m.text ? readFileSync(join(folder, m.text), 'utf8').trimEnd() : htmlToText(html).replace(/\n{3,}/g, '\n\n').trim();
    templates.push({
      info: {
        name,
        kind: m.kind,
        ...(m.subscriptionType ? { subscriptionType: m.subscriptionType } : {}),
        subject: m.subject.en,
        sampleData: sample.data,
      },
      samples: { en: localeSamples.en ?? sample.data, de: localeSamples.de ?? sample.data },
      required: m.required,
      requiredFields: templateRequiredFields({ html, text: textSource, subject: m.subject, declared: m.required }),
      strings: m.strings ?? { en: {}, de: {} },
      subject: { en: compilePlain(m.subject.en), de: compilePlain(m.subject.de) },
      html: compileHtml(html),
      text: compilePlain(textSource + TEXT_FOOTER),
    });
  }
  return { templates, problems };
}

export const formatProblem = (p: TemplateProblem) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
