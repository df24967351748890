import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import noTypeCycle from './scripts/lint/no-type-cycle.js';

// The domain folders of src/ (see docs/architecture.md). Another folder may import only a
// domain's index.ts; what a domain lets others use is what its index.ts exports.
const DOMAINS = ['addresses', 'subscriptions', 'messages', 'delivery', 'templates', 'preferences', 'feedback', 'console', 'webhooks', 'privacy', 'client', 'reputation'];
const deepImport = `^(\\./|(\\.\\./)+)(src/)?(${DOMAINS.join('|')})/(?!index\\.ts$).+`;

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.mailgate/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // No import cycles anywhere in the product, type-only imports included: a cycle means two
    // folders each know the other, and the house can no longer be changed one room at a time.
    // import-x/no-cycle follows value imports only (it skips `import type`, and has no option not
    // to); mailgate/no-type-cycle (scripts/lint/no-type-cycle.js) reports the cycles a type-only
    // import closes, and leaves value cycles to import-x. Between them every cycle fails.
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    plugins: { 'import-x': importX, mailgate: { rules: { 'no-type-cycle': noTypeCycle } } },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'mailgate/no-type-cycle': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: deepImport, message: "Import another domain only through its index.ts (STYLE.md: 'Cross a domain boundary only through its index.ts')." }] },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['scripts/**', 'test/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
);
