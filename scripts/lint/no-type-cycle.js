import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * `mailgate/no-type-cycle`: the import cycles `import-x/no-cycle` does not see. import-x follows
 * value imports only: it skips `import type`, `import { type A }` and `export type … from` while
 * walking, and v4.18 has no option to follow them (its only traversal option,
 * `allowUnsafeDynamicCyclicDependency`, skips even more). A cycle closed by a type-only import
 * still means two files each know the other, so this rule walks every edge: imports and
 * re-exports of either kind, `import()` and `import('./x').T` types.
 *
 * It reports what import-x does not: an import of F that leads back to F, unless it is a value
 * import that leads back through value imports alone (import-x reports that one), so a value cycle
 * is not reported twice. Relative specifiers only; packages cannot import us back.
 */

/** @typedef {{ specifier: string; typeOnly: boolean; start: number; end: number }} Edge */

/** Parsed edges by absolute path, kept while the file's mtime and size are unchanged. */
const parsed = new Map();

/** import-x's test: the declaration is `type`, or it names at least one binding and all are `type`. */
function allTypes(elements) {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** @returns {Edge[]} */
function edgesOf(sourceFile) {
  /** @type {Edge[]} */
  const edges = [];
  const add = (literal, typeOnly) => {
    if (literal && ts.isStringLiteralLike(literal)) edges.push({ specifier: literal.text, typeOnly, start: literal.getStart(sourceFile), end: literal.getEnd() });
  };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      const named = bindings && ts.isNamedImports(bindings) ? bindings.elements : undefined;
      const typeOnly = Boolean(clause && (clause.isTypeOnly || (!clause.name && named && allTypes(named))));
      add(statement.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const clause = statement.exportClause;
      add(statement.moduleSpecifier, statement.isTypeOnly || Boolean(clause && ts.isNamedExports(clause) && allTypes(clause.elements)));
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      add(statement.moduleReference.expression, statement.isTypeOnly);
    }
  }
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  return edges;
}

const parse = (path, text) => edgesOf(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names (`./x.ts`, `./x.js` for `./x.ts`, `./x`, `./x/index.ts`), or undefined. */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.(m?)js$/, '.$1ts'), `${base}.ts`, resolve(base, 'index.ts')];
  return candidates.find(isFile);
}

/** The files a file imports, each with whether every import of it is type-only. */
function importsOf(path, memo) {
  let known = memo.get(path);
  if (known) return known;
  let edges = [];
  try {
    const { mtimeMs, size } = statSync(path);
    const cached = parsed.get(path);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) edges = cached.edges;
    else {
      edges = parse(path, readFileSync(path, 'utf8'));
      parsed.set(path, { mtimeMs, size, edges });
    }
  } catch {
    // unreadable: no edges
  }
  known = targetsOf(path, edges);
  memo.set(path, known);
  return known;
}

/** @returns {Map<string, boolean>} target path → true when only type-only edges lead there */
function targetsOf(path, edges) {
  const targets = new Map();
  for (const edge of edges) {
    const target = resolveSpecifier(path, edge.specifier);
    if (target) targets.set(target, (targets.get(target) ?? true) && edge.typeOnly);
  }
  return targets;
}

/** The shortest path from `start` to `goal` (both included), over value imports only if asked; undefined when none. */
function pathBetween(start, goal, valueOnly, memo) {
  const parent = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const here = queue.shift();
    if (here === goal) {
      const path = [];
      for (let at = here; at !== undefined; at = parent.get(at)) path.unshift(at);
      return path;
    }
    for (const [next, typeOnly] of importsOf(here, memo)) {
      if (valueOnly && typeOnly) continue;
      if (!parent.has(next)) {
        parent.set(next, here);
        queue.push(next);
      }
    }
  }
  return undefined;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles that import-x/no-cycle skips: those a type-only import closes.' },
    schema: [],
    messages: { cycle: 'Import cycle through a type-only import: {{path}} (import-x/no-cycle does not follow `import type`).' },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!file.endsWith('.ts')) return {};
    return {
      Program() {
        const sourceCode = context.sourceCode;
        const memo = new Map();
        const own = parse(file, sourceCode.text);
        const targets = targetsOf(file, own);
        memo.set(file, targets);
        const name = (path) => relative(context.cwd, path);
        const reported = new Set();
        for (const edge of own) {
          const target = resolveSpecifier(file, edge.specifier);
          if (!target || target === file || reported.has(target)) continue;
          const back = pathBetween(target, file, false, memo);
          if (!back) continue;
          // a value import that leads back through value imports alone is import-x/no-cycle's to report
          if (!targets.get(target) && pathBetween(target, file, true, memo)) continue;
          reported.add(target);
          context.report({
            loc: { start: sourceCode.getLocFromIndex(edge.start), end: sourceCode.getLocFromIndex(edge.end) },
            messageId: 'cycle',
            data: { path: [file, ...back].map(name).join(' → ') },
          });
        }
      },
    };
  },
};
