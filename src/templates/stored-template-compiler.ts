import { join } from 'node:path';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import type { TemplateFinding, TemplateSource } from '../shared/template-authoring.ts';
import { TEXT_FOOTER } from './footer.ts';
import { compileHtml, compilePlain, hb } from './handlebars-env.ts';
import { compileMjml } from './mjml-compiler.ts';
import { checkSourceRules } from './template-checker.ts';
import { htmlToText, type CompiledTemplate } from './template-loader.ts';
import { PREVIEW_ADDRESS, type TemplateRegistry } from './template-registry.ts';
import { LOCALES } from './types.ts';
import { templateRequiredFields } from './required-fields.ts';

export interface CompileResult {
  findings: TemplateFinding[];
  /** Set when there is no error: ready to render, like a file template. */
  compiled?: CompiledTemplate;
}

/**
 * Compiles a stored template's source with the compiler file templates use (MJML strict, the
 * footer appended by the system, Handlebars in strict mode) and checks it: the source rules
 * (template-checker.ts), then every locale rendered with the sample data, proving the footer and
 * the unsubscribe link survived. A result with any error has no `compiled`.
 */
export class StoredTemplateCompiler {
  constructor(private readonly deps: { templatesDir: string; catalog: SubscriptionCatalog; registry: TemplateRegistry }) {}

  async compile(name: string, source: TemplateSource, version?: number): Promise<CompileResult> {
    const findings = checkSourceRules(source, this.deps.catalog);
    const errors = () => findings.some((f) => f.severity === 'error');
    // Includes resolve from the partials folder itself (mjml wants a path that exists), so
    // `<mj-include path="../_partials/…">` works as in a file template.
    const partials = join(this.deps.templatesDir, '_partials');
    const mjml = await compileMjml(source.mjml, partials, partials);
    if ('problems' in mjml) {
      for (const p of mjml.problems) findings.push({ severity: 'error', field: 'mjml', message: p.file ? `${p.message} (in ${p.file})` : p.message, ...(p.line ? { line: p.line } : {}) });
      return { findings };
    }
    if (errors()) return { findings };
    try {
      hb.parse(mjml.html);
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
      findings.push({ severity: 'error', field: 'mjml', message: `after MJML compile the Handlebars blocks no longer match (${message}); wrap {{#…}} and {{/…}} that sit between MJML sections in <mj-raw>` });
      return { findings };
    }
    const text = htmlToText(mjml.html).replace(/\n{3,}/g, '\n\n').trim() + TEXT_FOOTER;
    const compiled: CompiledTemplate = {
      info: {
        name,
        kind: source.kind,
        ...(source.subscriptionType ? { subscriptionType: source.subscriptionType } : {}),
        subject: source.subject.en,
        sampleData: source.sampleData,
        origin: 'stored',
        ...(version === undefined ? {} : { version }),
      },
      samples: { en: source.sampleData, de: source.sampleData },
      required: [],
      strings: source.strings,
      subject: { en: compilePlain(source.subject.en), de: compilePlain(source.subject.de) },
      html: compileHtml(mjml.html),
      text: compilePlain(text),
      // What enqueue checks data against, from the same Handlebars tree as a file template's.
      requiredFields: templateRequiredFields({ html: mjml.html, text, subject: source.subject, declared: [] }),
    };
    for (const locale of LOCALES) {
      try {
        const out = this.deps.registry.renderTemplate(compiled, { template: name, data: source.sampleData, locale, to: PREVIEW_ADDRESS, messageId: 'check' });
        const lost = this.deps.registry.lostFooter(compiled, out);
        if (lost.length > 0) findings.push({ severity: 'error', field: 'mjml', message: `rendered (${locale}), the email lost ${lost.join(', ')}: nothing may hide or replace the footer` });
      } catch (err) {
        findings.push({ severity: 'error', field: 'sampleData', message: `the sample data does not render (${locale}): ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    return errors() ? { findings } : { findings, compiled };
  }
}
