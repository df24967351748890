import type { SubscriptionCatalog } from '../subscriptions/index.ts';
import type { TemplateFinding, TemplateSource } from '../shared/template-authoring.ts';
import { hb, lintHandlebars } from './handlebars-env.ts';
import { LOCALES } from './types.ts';

/** Helpers a template may call: ours (handlebars-env.ts) and Handlebars' built-ins. */
const KNOWN_HELPERS = new Set(['eq', 'url', 'if', 'unless', 'each', 'with', 'lookup', 'log']);

interface AstNode {
  type: string;
  path?: { original?: unknown };
  params?: unknown[];
  hash?: { pairs?: unknown[] };
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

/**
 * What a marketer may not write, by pattern on the MJML source, with why:
 * - script: mail clients strip it, and it would run in the console's preview;
 * - anything naming the footer or its data: only the system fills the footer (footer.ts);
 * - CSS that can hide a block: the footer is a block like any other, so no rule may hide one;
 * - raw HTML comments and CDATA: `<mj-raw><!--</mj-raw>` before `</mj-body>` would swallow the footer.
 */
const FORBIDDEN: { pattern: RegExp; message: string }[] = [
  { pattern: /<\s*script\b/gi, message: '<script> is not allowed: mail clients strip it' },
  { pattern: /\son[a-z]+\s*=/gi, message: 'event handler attributes (on…=) are not allowed: mail clients strip them' },
  { pattern: /javascript\s*:/gi, message: 'javascript: URLs are not allowed' },
  { pattern: /@footer/g, message: 'the footer is added by mailgate: a template may not use @footer' },
  { pattern: /mg-footer|mailgate-footer|footer\.mjml/gi, message: 'the footer is added by mailgate: a template may not name, style or include it' },
  { pattern: /display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?![.\d]*[1-9])|max-height\s*:\s*0|(?<![\w-])font-size\s*:\s*0(?:px)?\s*[;"'}]/gi, message: 'CSS that hides content is not allowed: it could hide the footer or the unsubscribe link' },
  { pattern: /font-size\s*=\s*["']0(?:px)?["']|(?:^|\s)(?:height|max-height)\s*=\s*["']0(?:px)?["']/gi, message: 'attributes that hide content are not allowed: they could hide the footer' },
  { pattern: /(?<![\w-])height\s*:\s*0(?:px)?\s*[;"'}]/gi, message: 'CSS that hides content is not allowed: it could hide the footer or the unsubscribe link' },
  { pattern: /<!--|<!\[CDATA\[/g, message: 'HTML comments and CDATA are not allowed in a template: they could swallow the footer' },
  { pattern: /<\s*mj-all\b/gi, message: '<mj-all> is not allowed: its attributes would also apply to the footer' },
  { pattern: /position\s*:\s*(?:absolute|fixed)|text-indent\s*:\s*-|(?<![\w-])transform\s*:|clip(?:-path)?\s*:/gi, message: 'CSS that moves or clips content is not allowed: it could hide the footer' },
];

const lineAt = (source: string, index: number) => {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
};

/**
 * The checks that need no compiling: the subscription type, the subjects, the strings, script and
 * footer tampering, and Handlebars (syntax, unescaped output, partials, unknown helpers). Lines are
 * the author's, in `mjml`.
 */
export function checkSourceRules(source: TemplateSource, catalog: SubscriptionCatalog): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const error = (field: string, message: string, at?: { line: number; column?: number }) =>
    findings.push({ severity: 'error', field, message, ...(at ? { line: at.line, ...(at.column ? { column: at.column } : {}) } : {}) });

  if (source.kind === 'marketing') {
    if (!source.subscriptionType) error('subscriptionType', 'a marketing template must name a subscription type');
    else if (!catalog.has(source.subscriptionType)) error('subscriptionType', `unknown subscription type "${source.subscriptionType}" (not in subscription-types.json)`);
  } else if (source.subscriptionType) error('subscriptionType', 'only marketing templates have a subscription type');

  for (const locale of LOCALES) {
    const subject = source.subject[locale];
    if (subject.trim() === '') error(`subject.${locale}`, `the subject for "${locale}" is missing`);
    else for (const p of lintHandlebars(subject)) error(`subject.${locale}`, p.message);
    for (const [key, text] of Object.entries(source.strings[locale])) {
      if (/javascript\s*:/i.test(text) || /<\s*script\b/i.test(text)) error(`strings.${locale}`, `"${key}": script is not allowed`);
    }
  }
  const en = Object.keys(source.strings.en).sort().join(',');
  const de = Object.keys(source.strings.de).sort().join(',');
  if (en !== de) error('strings.de', 'strings.en and strings.de must have the same keys');

  for (const { pattern, message } of FORBIDDEN) {
    for (const match of source.mjml.matchAll(pattern)) error('mjml', message, lineAt(source.mjml, match.index));
  }
  // Default attributes for a component would style the footer's sections and texts too; mj-class names only what opts in.
  for (const block of source.mjml.matchAll(/<mj-attributes[^>]*>([\s\S]*?)<\/mj-attributes\s*>/gi)) {
    for (const tag of (block[1] ?? '').matchAll(/<\s*(mj-[\w-]+)/gi)) {
      if (tag[1]!.toLowerCase() !== 'mj-class') error('mjml', `<mj-attributes> may hold only <mj-class>: defaults for <${tag[1]}> would also style the footer`, lineAt(source.mjml, block.index + block[0].indexOf(tag[0])));
    }
  }
  for (const raw of source.mjml.matchAll(/<mj-raw[^>]*>([\s\S]*?)<\/mj-raw\s*>/gi)) {
    if (!balanced(raw[1] ?? '')) error('mjml', '<mj-raw> must close every HTML element it opens: an open element could wrap the footer', lineAt(source.mjml, raw.index));
  }
  if (!/<mj-body[\s>]/i.test(source.mjml)) error('mjml', 'the template has no <mj-body>…</mj-body>');

  const lint = lintHandlebars(source.mjml);
  for (const p of lint) error('mjml', p.message, p.line === undefined ? undefined : { line: p.line });
  if (lint.length === 0) for (const f of unknownHelpers(source.mjml)) error('mjml', f.message, { line: f.line, column: f.column });
  return findings;
}

/** Calls of helpers that do not exist: `{{shout name}}`, `{{#repeat 3}}`, `(x y)`. */
function unknownHelpers(source: string): { line: number; column: number; message: string }[] {
  const found: { line: number; column: number; message: string }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const n = node as AstNode;
    const isCall = n.type === 'SubExpression' || ((n.type === 'MustacheStatement' || n.type === 'BlockStatement') && ((n.params?.length ?? 0) > 0 || (n.hash?.pairs?.length ?? 0) > 0));
    const name = typeof n.path?.original === 'string' ? n.path.original : undefined;
    if (isCall && name !== undefined && !KNOWN_HELPERS.has(name)) {
      found.push({ line: n.loc?.start.line ?? 1, column: (n.loc?.start.column ?? 0) + 1, message: `unknown Handlebars helper "${name}" (available: ${[...KNOWN_HELPERS].join(', ')})` });
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc') visit(value);
  };
  visit(hb.parse(source));
  return found;
}

const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'area', 'base', 'col', 'wbr', 'source']);

/** Every element opened inside one <mj-raw> is closed there (Handlebars blocks are not elements). */
function balanced(html: string): boolean {
  const open: string[] = [];
  for (const m of html.replace(/\{\{[^}]*\}\}/g, '').matchAll(/<\s*(\/)?\s*([a-z][\w-]*)[^>]*?(\/)?>/gi)) {
    const tag = m[2]!.toLowerCase();
    if (VOID.has(tag) || m[3]) continue;
    if (!m[1]) open.push(tag);
    else if (open.pop() !== tag) return false;
  }
  return open.length === 0;
}
