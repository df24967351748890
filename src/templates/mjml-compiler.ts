import mjml2html from 'mjml';
import { relative, resolve } from 'node:path';

export interface MjmlProblem {
  line: number | undefined;
  message: string;
  /** Set when the problem is in an included partial rather than the template itself. */
  file?: string;
}

interface MjmlValidationError {
  line?: number;
  message?: string;
  tagName?: string;
  formattedMessage?: string;
}

const FOOTER_INCLUDE = '<mj-include path="../_partials/footer.mjml" />';

/**
 * Adds the system footer as the last child of <mj-body>, on the line of `</mj-body>` so the
 * template's line numbers stay true. Works whether or not the template leaves a place for it.
 */
export function appendFooter(source: string): string | undefined {
  const closings = [...source.matchAll(/<\/mj-body\s*>/gi)];
  const last = closings.at(-1);
  if (last?.index === undefined) return undefined;
  return `${source.slice(0, last.index)}${FOOTER_INCLUDE}${source.slice(last.index)}`;
}

/** Compiles one template's MJML (footer included) with strict validation. Runs once per template at load. */
export async function compileMjml(source: string, file: string, partialsDir: string): Promise<{ html: string } | { problems: MjmlProblem[] }> {
  const withFooter = appendFooter(source);
  if (withFooter === undefined) return { problems: [{ line: undefined, message: 'the template has no <mj-body>…</mj-body>' }] };
  try {
    const result = await mjml2html(withFooter, {
      validationLevel: 'strict',
      filePath: resolve(file),
      ignoreIncludes: false,
      includePath: resolve(partialsDir),
      keepComments: false,
    });
    // mjml leaves a comment instead of failing when an include is out of bounds or unreadable
    const denied = /<!-- mj-include (denied|fails[^>]*)-->/.exec(result.html);
    if (denied) return { problems: [{ line: undefined, message: `MJML: an <mj-include> was ${denied[1] === 'denied' ? 'denied (partials must live in _partials/)' : 'not readable'}` }] };
    return { html: result.html };
  } catch (err) {
    const errors = (err as { errors?: MjmlValidationError[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) {
      return { problems: [{ line: undefined, message: `MJML: ${err instanceof Error ? err.message : String(err)}` }] };
    }
    return {
      problems: errors.map((e) => {
        const included = e.formattedMessage?.includes(', included at') ?? false;
        const fileMatch = included ? /^Line \d+ of (\S+?),/.exec(e.formattedMessage ?? '') : null;
        return {
          line: e.line,
          message: `MJML: ${e.message ?? 'invalid'}${e.tagName ? ` (<${e.tagName}>)` : ''}`,
          ...(fileMatch?.[1] ? { file: relative(process.cwd(), fileMatch[1]) } : {}),
        };
      }),
    };
  }
}
