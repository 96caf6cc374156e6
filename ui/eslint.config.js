// ESLint flat config for the Mandate UI.
//
// The architecture rule lives here: only `src/backend/` may talk to Tauri. Everything else
// goes through the `IBackend` interface, so components stay testable with a fake backend
// and the Tauri surface stays in one small, reviewable folder.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'src/bindings/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'vite.config.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // IBackend rejects with the plain `ApiError` object the Rust side sends (the IPC
      // contract), not with `Error` instances; everything else must still throw errors.
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'file', name: 'ApiError' }] },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat['recommended-latest']],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['e2e/**/*.{js,mjs,cjs,ts,mts}', '*.config.{js,mjs,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // End-to-end tests also pass functions to `browser.execute`, which run in the page.
    files: ['e2e/**/*.{js,mjs,cjs,ts,mts}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tauri-apps/*'],
              message: 'Only src/backend/ may import @tauri-apps/*; use the IBackend from useBackend().',
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/backend/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
