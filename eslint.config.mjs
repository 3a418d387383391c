import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'demo-output/**', 'jest.config.js'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Dependencies point one way (DESIGN.md): pure packages import nothing of ours.
    files: ['packages/protocol/src/**/*.ts', 'packages/aggregator/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@oadr-kit/*'] }],
    },
  },
  {
    files: ['packages/security/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@oadr-kit/!(protocol)'] }],
    },
  },
  {
    // The VTN and the VEN stand on protocol, security and aggregator, never on each other.
    files: ['packages/vtn/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@oadr-kit/!(protocol|security|aggregator)'] }] },
  },
  {
    files: ['packages/ven/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@oadr-kit/!(protocol|security|aggregator)'] }] },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      // Node's globals, for the CommonJS scripts (benchmarks, the config files).
      globals: {
        ...Object.fromEntries(
          ['require', 'process', 'console', '__dirname', 'Buffer', 'structuredClone', 'performance', 'setTimeout', 'clearTimeout', 'setImmediate', 'URL', 'AbortSignal', 'AbortController'].map((name) => [name, 'readonly']),
        ),
        module: 'writable',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The VTN dashboard runs in the browser, with uPlot loaded before it by a script tag.
    files: ['packages/vtn/dashboard/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'sessionStorage', 'fetch', 'Node', 'setTimeout', 'clearTimeout', 'uPlot'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
