// ESLint 10 flat config (`npm run lint`, run by .ci/run before the tests): the recommended JavaScript and
// typescript-eslint rules (syntax only, not type-aware: type errors are tsc's job, and type-aware rules would
// re-check the whole program), and React's rules of hooks for the renderer, as errors.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['out/', 'dist/', 'dist-cli*/', 'test-results/', 'resources/', '.cache/', '.tmp-*/']),
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading _ marks a name kept on purpose (a parameter a callback's shape requires, a field split off a rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // The ideographic space (U+3000) is part of Chinese text in titles and labels; outside text it is still refused.
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true, skipJSXText: true }],
      // Control characters are matched on purpose: cell text and file names are cleaned of them.
      'no-control-regex': 'off',
    },
  },
  {
    // Migrations run against the schema of their own time, not today's Database type: Kysely<any> by design. The job
    // table holds functions of any input and output (JobFn's defaults; the API validated the input before the job).
    files: ['electron/db/migrations/**', 'electron/db/pg/migrations.ts', 'electron/db/pg/translate.ts', 'electron/jobs/context.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests stand in for Electron's and the driver's objects with loose mocks.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript that runs on Node (the package's bin, this file).
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
]);
