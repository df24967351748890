/**
 * Marketer tooling. `check` and `preview` need no MongoDB or Redis; `push` does (it stores).
 *   npm run templates -- check     validate every template in TEMPLATES_DIR (default templates/); exit 1 on any problem
 *   npm run templates -- preview   serve every template rendered with its sample data on PREVIEW_PORT (default 3100)
 *   npm run templates -- push <dir> [--as <name>] [--note <text>]
 *                                  publish a file template's folder as a stored template (docs/rules.md §14); exit 1 when refused
 */
import { createServer, type ServerResponse } from 'node:http';
import { watch } from 'node:fs';
import { loadConfig } from '../src/config.ts';
import { TokenService } from '../src/preferences/tokens.ts';
import { SubscriptionCatalog } from '../src/subscriptions/catalog.ts';
import { loadTemplates } from '../src/templates/load-templates.ts';
import { formatProblem, type TemplateProblem } from '../src/templates/template-loader.ts';
import { PREVIEW_ADDRESS, type TemplateRegistry } from '../src/templates/template-registry.ts';
import { LOCALES, type Locale } from '../src/templates/types.ts';
import { pushTemplate } from './templates-push.ts';

const config = loadConfig(process.env);
const dir = config.templatesDir;

async function load(): Promise<{ registry: TemplateRegistry | undefined; problems: TemplateProblem[] }> {
  let catalog: SubscriptionCatalog;
  try {
    catalog = SubscriptionCatalog.load(dir);
  } catch (err) {
    return { registry: undefined, problems: [{ file: `${dir}/subscription-types.json`, message: err instanceof Error ? err.message : String(err) }] };
  }
  return loadTemplates({ dir, catalog, tokens: new TokenService(config.secrets), publicUrl: config.publicUrl, postalAddress: config.postalAddress });
}

async function check(): Promise<number> {
  const { registry, problems } = await load();
  for (const p of problems) console.error(`error  ${formatProblem(p)}`);
  if (problems.length > 0) {
    console.error(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${dir}`);
    return 1;
  }
  const names = registry?.list().map((t) => `${t.name} (${t.kind}${t.subscriptionType ? `, ${t.subscriptionType}` : ''})`) ?? [];
  console.log(`ok  ${names.length} templates in ${dir}: ${names.join(', ')}`);
  return 0;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function indexPage(registry: TemplateRegistry | undefined, problems: TemplateProblem[]): string {
  const rows = (registry?.list() ?? [])
    .map((t) => {
      const links = LOCALES.map((l) => `<a href="/${t.name}/${l}.html">HTML ${l}</a> · <a href="/${t.name}/${l}.txt">text ${l}</a>`).join(' &nbsp;|&nbsp; ');
      return `<tr><td><strong>${escape(t.name)}</strong></td><td>${t.kind}${t.subscriptionType ? ` · ${escape(t.subscriptionType)}` : ''}</td><td>${escape(t.subject)}</td><td>${links}</td></tr>`;
    })
    .join('\n');
  const errors = problems.length
    ? `<section class="errors"><h2>${problems.length} problem(s)</h2><pre>${escape(problems.map(formatProblem).join('\n'))}</pre></section>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mailgate template preview</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1830}table{border-collapse:collapse}td,th{padding:.5rem 1rem;border-bottom:1px solid #e7e5f4;text-align:left}
.errors{background:#fff1f1;border:1px solid #f3b4b4;padding:.5rem 1rem;margin-bottom:1rem}a{color:#5b4bdb}</style></head>
<body><h1>Templates in ${escape(dir)}</h1><p>Rendered with each template's sample data for ${PREVIEW_ADDRESS}; re-rendered when a file changes.</p>${errors}
<table><thead><tr><th>name</th><th>kind</th><th>subject (en)</th><th>preview</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}

async function preview(): Promise<void> {
  let state = await load();
  const port = Number(process.env.PREVIEW_PORT ?? 3100);
  let timer: NodeJS.Timeout | undefined;
  watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void load().then((next) => {
        // keep serving the last good templates while the new ones have problems
        state = next.problems.length === 0 || !state.registry ? next : { registry: state.registry, problems: next.problems };
        console.log(next.problems.length ? `reloaded with ${next.problems.length} problem(s):\n${next.problems.map(formatProblem).join('\n')}` : 'reloaded');
      });
    }, 150);
  });
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/') return send(res, 200, 'text/html', indexPage(state.registry, state.problems));
    const match = /^\/([a-z0-9_-]+)\/(en|de)\.(html|txt)$/.exec(path);
    const registry = state.registry;
    if (!match || !registry?.get(match[1]!)) return send(res, 404, 'text/plain', 'not found — see /');
    const [, name, locale, format] = match as unknown as [string, string, Locale, string];
    try {
      const out = registry.render({ template: name, data: registry.sampleData(name, locale) ?? {}, locale, to: PREVIEW_ADDRESS, messageId: 'preview' });
      if (format === 'txt') return send(res, 200, 'text/plain', `Subject: ${out.subject}\n${Object.entries(out.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${out.text}`);
      return send(res, 200, 'text/html', out.html);
    } catch (err) {
      return send(res, 500, 'text/plain', err instanceof Error ? err.message : String(err));
    }
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`template preview on http://127.0.0.1:${port}/ (${state.registry?.list().length ?? 0} templates, ${state.problems.length} problems)`);
  });
}

const command = process.argv[2];
if (command === 'check') process.exitCode = await check();
else if (command === 'preview') await preview();
else if (command === 'push') process.exitCode = await pushTemplate(config, process.argv.slice(3));
else {
  console.error('usage: npm run templates -- check|preview|push <dir> [--as <name>] [--note <text>]');
  process.exitCode = 2;
}
