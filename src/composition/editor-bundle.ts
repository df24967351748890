import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../shared/logger.ts';

/** Where `npm run build:editor` writes the editor's script (gitignored, under dist/). */
export const EDITOR_BUNDLE = resolve(process.cwd(), 'dist/console-editor/template-editor.js');

/**
 * The editor's script, read once at start-up; absent (not built) the editor works without it, as
 * it does with JavaScript disabled, and the log says so.
 */
export function readEditorBundle(logger: Logger): string | undefined {
  if (!existsSync(EDITOR_BUNDLE)) {
    logger.warn({ event: 'console.editor_bundle_missing', path: EDITOR_BUNDLE }, 'the template editor script is not built (npm run build:editor): the editor runs without it');
    return undefined;
  }
  return readFileSync(EDITOR_BUNDLE, 'utf8');
}
