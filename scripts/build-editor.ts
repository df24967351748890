// Bundles the console's template editor script (console-editor/template-editor.ts: CodeMirror and
// the live preview) into one file the console serves from its own origin: `npm run build:editor`,
// run by `npm start`, .ci/run and the test set-up. The bundle is built, never committed.
import { build } from 'esbuild';
import { EDITOR_BUNDLE } from '../src/composition/editor-bundle.ts';

await build({
  entryPoints: [new URL('../console-editor/template-editor.ts', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  outfile: EDITOR_BUNDLE,
  logLevel: 'warning',
  legalComments: 'none',
});
