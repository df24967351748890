/**
 * `npm run templates -- push <dir> [--as <name>] [--note <text>]`: publishes a file template's
 * folder as a stored template, for migrating to the console (docs/rules.md §14). It saves the
 * draft (creating the template, or on its latest revision) and publishes it as admin through the
 * same use cases as the API, so the checker runs and every running process learns the version.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { AppError } from '../src/shared/errors.ts';
import { createLogger } from '../src/shared/logger.ts';
import type { TemplateFinding } from '../src/shared/template-authoring.ts';
import { readFileTemplateSource } from '../src/templates/index.ts';

const where = (f: TemplateFinding) => (f.field === 'mjml' ? `template.mjml${f.line ? `:${f.line}` : ''}` : f.field);

export async function pushTemplate(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { as: { type: 'string' }, note: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    console.error('usage: npm run templates -- push <dir> [--as <name>] [--note <text>]');
    return 2;
  }
  let file: ReturnType<typeof readFileTemplateSource>;
  try {
    file = readFileTemplateSource(resolve(dir));
  } catch (err) {
    console.error(`error  ${dir}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return 1;
  }
  if (!file) {
    console.error(`error  ${dir}: not a template folder (meta.json and template.mjml)`);
    return 1;
  }
  const name = values.as ?? basename(resolve(dir));
  const actor = `cli:${process.env.USER ?? 'templates-push'}`;
  const app = await createApp(config, { api: false, worker: false }, createLogger('warn'));
  try {
    const authoring = app.templates.authoring;
    const existing = await authoring.get(name).catch((err: unknown) => (err instanceof AppError && err.code === 'template_not_found' ? undefined : Promise.reject(err)));
    await authoring.saveDraft(name, file.source, { actor, basedOn: existing?.draft?.revision ?? null });
    const version = await authoring.publish(name, { actor, role: 'admin', note: values.note ?? `pushed from ${dir}` });
    console.log(`ok  ${name} version ${version.version} published from ${dir}`);
    if (file.dropped.length > 0) console.log(`note  not carried over (a stored template has no place for them): ${file.dropped.join(', ')}`);
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    console.error(`error  ${name}: ${err.message} (${err.code})`);
    const findings = (err.details as { findings?: TemplateFinding[] } | undefined)?.findings ?? [];
    for (const f of findings) console.error(`${f.severity}  ${dir}/${where(f)}: ${f.message}`);
    return 1;
  } finally {
    await app.close();
  }
}
