import Handlebars from 'handlebars';

/**
 * One isolated Handlebars environment for every template: no global helpers or partials that a
 * library could register, and only helpers that return plain strings (so their output is escaped
 * like any other value). Data can therefore never inject markup into the HTML part.
 */
export const hb = Handlebars.create();

const SAFE_URL = /^(https?:|mailto:)/i;

hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

/** `{{url link}}`: a link from data, refused unless http(s) or mailto (no `javascript:` hrefs). */
hb.registerHelper('url', (value: unknown) => {
  if (typeof value !== 'string' || !SAFE_URL.test(value.trim())) {
    throw new Error(`expected an http(s) or mailto URL, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value}`);
  }
  return value.trim();
});

export type CompiledHbs = Handlebars.TemplateDelegate<Record<string, unknown>>;

/** Templates render in strict mode: a missing `{{field}}` throws instead of printing nothing. */
export function compileHtml(source: string): CompiledHbs {
  return hb.compile(source, { strict: true, knownHelpers: { eq: true, url: true }, preventIndent: true });
}

/** For text/plain and subjects: nothing to escape, markup is inert there. */
export function compilePlain(source: string): CompiledHbs {
  return hb.compile(source, { strict: true, noEscape: true, knownHelpers: { eq: true, url: true }, preventIndent: true });
}

interface AstNode {
  type: string;
  escaped?: boolean;
  loc?: { start: { line: number } };
  [key: string]: unknown;
}

/**
 * Parses a source (MJML, before MJML sees it, so line numbers match the author's file) and
 * returns the problems: syntax errors, unescaped output (`{{{x}}}`, `{{&x}}`) and partials.
 */
export function lintHandlebars(source: string): { line: number | undefined; message: string }[] {
  let ast: AstNode;
  try {
    ast = hb.parse(source) as unknown as AstNode;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const line = /line (\d+)/i.exec(message)?.[1];
    return [{ line: line ? Number(line) : undefined, message: `Handlebars syntax: ${message.split('\n')[0]}` }];
  }
  const problems: { line: number | undefined; message: string }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const n = node as AstNode;
    const line = n.loc?.start.line;
    if (n.type === 'MustacheStatement' && n.escaped === false) {
      problems.push({ line, message: 'unescaped output ({{{ }}} or {{& }}) is not allowed: data must always be escaped' });
    }
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
      problems.push({ line, message: 'Handlebars partials are not available: use <mj-include path="../_partials/…"> instead' });
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc') visit(value);
  };
  visit(ast);
  return problems;
}
