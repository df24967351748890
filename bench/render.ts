import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenService } from '../src/preferences/tokens.ts';
import { SubscriptionCatalog } from '../src/subscriptions/catalog.ts';
import { loadTemplatesOrThrow } from '../src/templates/load-templates.ts';
import { compileMjml } from '../src/templates/mjml-compiler.ts';
import { StoredTemplateCompiler, readFileTemplateSource } from '../src/templates/index.ts';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * Per-message render of the shipped newsletter (footer tokens signed, HTML + text + subject +
 * headers) after warm-up, against what one MJML compile of the same template costs. The same
 * newsletter as a stored template (its folder read as a TemplateSource and compiled by the stored
 * templates' compiler, as `npm run templates -- push` does) is rendered in the same loop, message
 * for message alternating with the file one, so the two figures come from one run (#24: stored
 * within ± 5 % of file).
 */
export async function benchRender(options: { dir?: string; messages?: number } = {}): Promise<{ render_us_per_msg: number; stored_render_us_per_msg: number; stored_vs_file_render_pct: number; mjml_compile_ms: number }> {
  const dir = options.dir ?? 'templates';
  const messages = options.messages ?? 20_000;
  const registry = await loadTemplatesOrThrow({
    dir,
    catalog: SubscriptionCatalog.load(dir),
    tokens: new TokenService(['bench-secret-0123456789abcdef']),
    publicUrl: 'https://mail.example.com',
    postalAddress: 'Lumen GmbH · Example Street 1 · 10115 Berlin',
  });
  const data = registry.get('newsletter')!.sampleData;
  const render = (i: number) =>
    registry.render({ template: 'newsletter', data, locale: i % 2 ? 'de' : 'en', to: `reader${i}@example.com`, messageId: `msg_${i}` });
  const read = readFileTemplateSource(join(dir, 'newsletter'));
  if (!read) throw new Error('bench: the newsletter folder does not read as a template source');
  const stored = await new StoredTemplateCompiler({ templatesDir: dir, catalog: SubscriptionCatalog.load(dir), registry }).compile('newsletter-stored', read.source, 1);
  if (!stored.compiled) throw new Error(`bench: the stored newsletter does not compile: ${JSON.stringify(stored.findings)}`);
  const compiled = stored.compiled;
  const renderStored = (i: number) =>
    registry.renderTemplate(compiled, { template: 'newsletter-stored', templateVersion: 1, data, locale: i % 2 ? 'de' : 'en', to: `reader${i}@example.com`, messageId: `msg_${i}` });

  for (let i = 0; i < 2_000; i++) {
    // warm-up: JIT, label caches
    render(i);
    renderStored(i);
  }
  const samples: number[] = [];
  const storedSamples: number[] = [];
  const timed = (fn: () => unknown, into: number[]) => {
    const start = process.hrtime.bigint();
    fn();
    into.push(Number(process.hrtime.bigint() - start) / 1_000);
  };
  for (let i = 0; i < messages; i++) {
    // alternate which goes first, so neither always runs on a warmer cache
    if (i % 2) {
      timed(() => render(i), samples);
      timed(() => renderStored(i), storedSamples);
    } else {
      timed(() => renderStored(i), storedSamples);
      timed(() => render(i), samples);
    }
  }

  const file = join(dir, 'newsletter', 'template.mjml');
  const source = readFileSync(file, 'utf8');
  const partials = join(dir, '_partials');
  await compileMjml(source, file, partials); // warm-up: module loading
  const compiles: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    await compileMjml(source, file, partials);
    compiles.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const fileUs = median(samples);
  const storedUs = median(storedSamples);
  return {
    render_us_per_msg: Math.round(fileUs * 10) / 10,
    stored_render_us_per_msg: Math.round(storedUs * 10) / 10,
    stored_vs_file_render_pct: Math.round((storedUs / fileUs - 1) * 1000) / 10,
    mjml_compile_ms: Math.round(median(compiles) * 10) / 10,
  };
}
