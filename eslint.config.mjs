// Lint: the house rules that keep the codebase readable in an afternoon (issue 17), as errors.
// - no import cycles and no upward imports between sync-core's layers (storage < local < engine);
// - files of at most 300 lines and functions of at most 60 in production code (tests and
//   emulators are exempt: a scenario reads best whole);
// - typescript-eslint's recommended rules.
// Unused exports are found by knip (`npm run lint` runs both): import-x's no-unused-modules needs
// the eslintrc file enumerator that ESLint 10 removed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const production = ['packages/*/src/**/*.ts'];
// Emulators and test doubles (src/testing) are test code: a fake server reads best whole.
const exempt = ['packages/*/src/emulator/**', 'packages/*/src/testing/**'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', 'packages/cli/schema/**', 'coverage/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['packages/sync-core/src/**/*.ts'],
    rules: {
      // The layers, lowest first: storage (the contract) and model (versions, chunks, errors:
      // the vocabulary), local (the folder and its state), engine (the round). A lower layer
      // never imports a higher one.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './packages/sync-core/src/storage', from: ['./packages/sync-core/src/engine', './packages/sync-core/src/local'], message: 'storage/ is the lowest layer' },
            { target: './packages/sync-core/src/model', from: ['./packages/sync-core/src/engine', './packages/sync-core/src/local'], message: 'model/ sits below local/ and engine/' },
            { target: './packages/sync-core/src/local', from: './packages/sync-core/src/engine', message: 'local/ sits below engine/' },
          ],
        },
      ],
    },
  },
  {
    files: production,
    ignores: exempt,
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 60 }],
    },
  },
  {
    // Tests read parsed JSON outputs and poke at internals: `any` is the honest type there.
    files: ['**/test/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
