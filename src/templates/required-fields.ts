import { hb } from './handlebars-env.ts';
import { LOCALES, type Locale } from './types.ts';

/**
 * The data fields a template cannot render without, found in its Handlebars AST at compile time so
 * the enqueue path can refuse incomplete data with a set lookup instead of a render.
 *
 * A path is required when it is printed outside every block: `{{name}}`, `{{author.name}}`, the
 * link of `{{url link}}`, or the path a non-helper section opens (`{{#items}}`), since strict mode
 * throws on each of those. Inside any block (`{{#if}}`, `{{#unless}}`, `{{#each}}`, `{{#with}}` and
 * their `{{else}}`) a path is optional: the block decides whether it renders, and `#each`/`#with`
 * bodies read their own context. The condition of a helper block is optional too, as Handlebars
 * does not look helper arguments up strictly. System values never come from data: `t.*` and
 * `locale` (the renderer sets them over data keys of the same name) and `@`-variables such as
 * `@footer`, except `@root.x`, which outside blocks is the data's `x`.
 */

interface PathNode {
  type: 'PathExpression';
  data: boolean;
  depth: number;
  parts: string[];
}

interface Node {
  type: string;
  path?: Node;
  params?: Node[];
  body?: Node[];
  [key: string]: unknown;
}

/** Values the renderer puts into the context itself (template-registry.ts): never data. */
const SYSTEM_ROOTS = new Set(['t', 'locale']);
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
/** Helpers that throw on a missing argument, so their path arguments are required. */
const STRICT_HELPERS = new Set(['url']);

/** The data path a PathExpression reads from the root context, or undefined when it is not data. */
function dataPath(node: Node | undefined): string | undefined {
  if (node?.type !== 'PathExpression') return undefined;
  const path = node as unknown as PathNode;
  if (path.depth > 0) return undefined;
  let parts = path.parts;
  if (path.data) {
    if (parts[0] !== 'root') return undefined;
    parts = parts.slice(1);
  }
  if (parts.length === 0 || SYSTEM_ROOTS.has(parts[0]!)) return undefined;
  return parts.join('.');
}

const helperName = (node: Node | undefined): string | undefined =>
  node?.type === 'PathExpression' && !(node as unknown as PathNode).data && (node as unknown as PathNode).parts.length === 1 ? (node as unknown as PathNode).parts[0] : undefined;

/** The required paths of one parsed program (its top level only: block bodies are optional). */
export function requiredFieldsOfProgram(program: { body: unknown[] }): string[] {
  const found = new Set<string>();
  const add = (path: string | undefined) => path !== undefined && found.add(path);
  for (const statement of program.body as Node[]) {
    if (statement.type !== 'MustacheStatement' && statement.type !== 'BlockStatement') continue;
    const params = statement.params ?? [];
    const name = helperName(statement.path);
    if (params.length === 0 && (statement.hash === undefined || statement.hash === null)) {
      // `{{x}}` or a section `{{#x}}…{{/x}}`: a lookup of x, strict unless it is a block helper
      if (!(statement.type === 'BlockStatement' && name !== undefined && BLOCK_HELPERS.has(name))) add(dataPath(statement.path));
    } else if (name !== undefined && STRICT_HELPERS.has(name)) {
      for (const param of params) add(dataPath(param));
    }
  }
  return [...found].sort();
}

/** The required paths of some Handlebars sources (the HTML, the text, a subject), united and sorted. */
export function requiredFieldsOf(sources: readonly string[], declared: readonly string[] = []): string[] {
  const all = new Set(declared);
  for (const source of sources) for (const path of requiredFieldsOfProgram(hb.parse(source))) all.add(path);
  return [...all].sort();
}

/**
 * What a compiled template needs per locale: what its HTML and text print, its subject in that
 * locale, and meta.json's `required`. Stored templates compile through the same function.
 */
export function templateRequiredFields(input: { html: string; text: string; subject: Record<Locale, string>; declared: readonly string[] }): Record<Locale, string[]> {
  const shared = requiredFieldsOf([input.html, input.text], input.declared);
  const out = {} as Record<Locale, string[]>;
  for (const locale of LOCALES) out[locale] = requiredFieldsOf([input.subject[locale]], shared);
  return out;
}

const isMissing = (value: unknown) => value === undefined || value === null || value === '';

/**
 * The required paths the data does not fill, in the order given. Missing is undefined, null or ''
 * (as the renderer has always treated `required`); a nested path is missing when any step on the
 * way does not hold the next one. Own properties only, as Handlebars reads them.
 */
export function missingFields(required: readonly string[], data: Record<string, unknown>): string[] {
  const missing: string[] = [];
  for (const path of required) {
    let value: unknown = data;
    for (const part of path.split('.')) {
      // Object(): a string's own `length` counts, as Handlebars finds it too
      value = value !== undefined && value !== null && Object.hasOwn(Object(value), part) ? (Object(value) as Record<string, unknown>)[part] : undefined;
      if (value === undefined) break;
    }
    if (isMissing(value)) missing.push(path);
  }
  return missing;
}

/** `data field "a"` or `data fields "a", "b"`: for messages naming what is missing. */
export const describeMissing = (missing: readonly string[]) => `data field${missing.length === 1 ? '' : 's'} ${missing.map((m) => JSON.stringify(m)).join(', ')}`;
