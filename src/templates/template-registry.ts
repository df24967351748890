import { AppError } from '../shared/errors.ts';
import { isLocale } from '../shared/locale.ts';
import { PREFERENCES_PATH, UNSUBSCRIBE_PATH, preferencesUrl, unsubscribeUrl, type TokenService } from '../preferences/index.ts';
import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import { hb } from './handlebars-env.ts';
import { FooterLabelCache, type FooterData } from './footer.ts';
import { describeMissing, missingFields } from './required-fields.ts';
import type { CompiledTemplate, TemplateProblem } from './template-loader.ts';
import { LOCALES, type Locale, type RenderInput, type RenderedMessage, type TemplateInfo, type TemplateRenderer } from './types.ts';

export interface TemplateRegistryDeps {
  templates: CompiledTemplate[];
  tokens: TokenService;
  catalog: SubscriptionCatalog;
  publicUrl: string;
  postalAddress: string;
}

export const PREVIEW_ADDRESS = 'preview@example.com';

const renderFailed = (message: string, cause?: unknown) =>
  new AppError('render_failed', message, { status: 422, ...(cause === undefined ? {} : { cause }) });

/** Handlebars' strict-mode messages end with a position in the compiled HTML, which means nothing to an author. */
const cleanMessage = (err: unknown) =>
  (err instanceof Error ? err.message : String(err))
    .split('\n')[0]!
    .replace(/ in (\[object Object\]|undefined|null)/, '')
    .replace(/ - \d+:\d+$/, '');

/**
 * The compiled templates, filled per message. Rendering is synchronous and does only per-message
 * work: two token signatures (footer links) and three Handlebars calls.
 */
export class TemplateRegistry implements TemplateRenderer {
  private readonly byName: Map<string, CompiledTemplate>;
  private readonly labels: FooterLabelCache;

  constructor(private readonly deps: TemplateRegistryDeps) {
    this.byName = new Map(deps.templates.map((t) => [t.info.name, t]));
    this.labels = new FooterLabelCache({ catalog: deps.catalog, postalAddress: deps.postalAddress });
  }

  list(): TemplateInfo[] {
    return [...this.byName.values()].map((t) => t.info);
  }

  get(name: string): TemplateInfo | undefined {
    return this.byName.get(name)?.info;
  }

  /** The data paths a template needs in a locale, found at compile time (required-fields.ts). */
  requiredFields(name: string, locale: Locale): readonly string[] | undefined {
    return this.byName.get(name)?.requiredFields[locale];
  }

  /** The sample data a template ships with, in the locale's variant when it has one. */
  sampleData(name: string, locale: Locale): Record<string, unknown> | undefined {
    return this.byName.get(name)?.samples[locale];
  }

  /**
   * For marketing (the template's kind, or any message naming a subscription type) the footer and
   * the List-Unsubscribe headers carry a one-click token for that type. Throws AppError
   * `render_failed` when the data does not fill the template.
   */
  render(input: RenderInput): RenderedMessage {
    const template = this.byName.get(input.template);
    if (!template) throw renderFailed(`unknown template "${input.template}"`);
    return this.renderTemplate(template, input);
  }

  /** Fills any compiled template, file or stored (stored-templates.ts): the same per-message work for both. */
  renderTemplate(template: CompiledTemplate, input: RenderInput): RenderedMessage {
    const { name, kind } = template.info;
    const locale: Locale = isLocale(input.locale) ? input.locale : 'en';
    const type = input.subscriptionType ?? template.info.subscriptionType;
    const labels = this.labels.get(locale, kind, type);
    if (!labels) throw renderFailed(`template "${name}": unknown subscription type "${type}"`);
    const data: Record<string, unknown> = input.data ?? {};
    const missing = missingFields(template.requiredFields[locale], data);
    if (missing.length > 0) throw renderFailed(`template "${name}" needs ${describeMissing(missing)}`);

    const { tokens, publicUrl } = this.deps;
    const prefs = preferencesUrl(publicUrl, tokens.sign({ k: 'p', a: input.to, m: input.messageId, l: locale }));
    const unsub = type === undefined ? undefined : unsubscribeUrl(publicUrl, tokens.sign({ k: 'u', a: input.to, m: input.messageId, t: type, l: locale }));
    const footer: FooterData = { ...labels, preferencesUrl: prefs, unsubscribeUrl: unsub };
    // System values win over data keys of the same name; `@footer` is out of data's reach entirely.
    const context = { ...data, locale, t: template.strings[locale] };
    const options = { data: { footer } };

    let subject: string, html: string, text: string;
    try {
      subject = template.subject[locale](context, options).replace(/[\r\n\t]+/g, ' ').trim();
      html = template.html(context, options);
      text = template.text(context, options);
    } catch (err) {
      throw renderFailed(`template "${name}" (${locale}): ${cleanMessage(err)}`, err);
    }
    if (subject === '') throw renderFailed(`template "${name}" (${locale}): the subject is empty`);
    const headers: Record<string, string> =
      unsub === undefined ? {} : { 'List-Unsubscribe': `<${unsub}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    return { subject, html, text, headers };
  }

  /**
   * Renders every template with its sample data in every locale and proves the footer made it into
   * both parts. Run at load: a template that cannot render its own sample never goes live.
   */
  selfCheck(dir: string): TemplateProblem[] {
    const problems: TemplateProblem[] = [];
    for (const t of this.byName.values()) {
      for (const locale of LOCALES) {
        const file = `${dir}/${t.info.name}/${t.samples[locale] === t.info.sampleData ? 'sample.json' : `sample.${locale}.json`}`;
        try {
          const out = this.render({ template: t.info.name, data: t.samples[locale], locale, to: PREVIEW_ADDRESS, messageId: 'check' });
          const missing = this.lostFooter(t, out);
          if (missing.length > 0) problems.push({ file: `${dir}/_partials/footer.mjml`, message: `rendering "${t.info.name}" (${locale}) lost ${missing.join(', ')}` });
        } catch (err) {
          problems.push({ file, message: `the sample data does not render (${locale}): ${err instanceof Error ? err.message : String(err)}` });
        }
      }
    }
    return problems;
  }

  /** What of the footer a rendering lost (empty: all there). The proof that nothing a template says removed it. */
  lostFooter(t: CompiledTemplate, out: RenderedMessage): string[] {
    const prefsPrefix = `${this.deps.publicUrl}${PREFERENCES_PATH}/`;
    const unsubPrefix = `${this.deps.publicUrl}${UNSUBSCRIBE_PATH}/`;
    return [
      !out.html.includes(prefsPrefix) && 'the preferences link in the HTML part',
      !out.text.includes(prefsPrefix) && 'the preferences link in the text part',
      !out.html.includes(hb.escapeExpression(this.deps.postalAddress)) && 'the postal address',
      t.info.kind === 'marketing' && !out.html.includes(unsubPrefix) && 'the unsubscribe link',
    ].filter((x): x is string => typeof x === 'string');
  }
}
