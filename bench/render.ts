import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenService } from '../src/preferences/tokens.ts';
import { SubscriptionCatalog } from '../src/subscriptions/catalog.ts';
import { loadTemplatesOrThrow } from '../src/templates/load-templates.ts';
import { compileMjml } from '../src/templates/mjml-compiler.ts';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * Per-message render of the shipped newsletter (footer tokens signed, HTML + text + subject +
 * headers) after warm-up, against what one MJML compile of the same template costs.
 */
export async function benchRender(options: { dir?: string; messages?: number } = {}): Promise<{ render_us_per_msg: number; mjml_compile_ms: number }> {
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

  for (let i = 0; i < 2_000; i++) render(i); // warm-up: JIT, label caches
  const samples: number[] = [];
  for (let i = 0; i < messages; i++) {
    const start = process.hrtime.bigint();
    render(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1_000);
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
  return { render_us_per_msg: Math.round(median(samples) * 10) / 10, mjml_compile_ms: Math.round(median(compiles) * 10) / 10 };
}
