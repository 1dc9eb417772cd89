import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/generated/**',
      '.turbo/**',
      '.flow-data/**',
      'coverage/**',
      '**/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // A package is used through its public API (the index its package.json exports), never
      // through its files: that is what keeps the packages splittable and free of cycles
      // (`npm run check:imports` checks the cycles).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@flow/*/src', '@flow/*/src/**', '@flow/*/dist', '@flow/*/dist/**'],
              message: 'Import the package itself (its public API), not one of its files.',
            },
            {
              group: ['**/packages/*/src', '**/packages/*/src/**', '**/packages/*/test/**'],
              message: 'Import the @flow/<package> instead of reaching into its files.',
            },
            {
              // Only a file outside the workspace spells `subgraphs/<name>/` or `router/`: a
              // workspace's own relative imports (`../src/app`) never match. Reach-ins between two
              // subgraphs (`../../users/src/app`) are `npm run check:imports`'s to refuse.
              group: [
                '**/subgraphs/*/src',
                '**/subgraphs/*/src/**',
                '**/subgraphs/*/test/**',
                '**/router/src',
                '**/router/src/**',
                '**/router/test/**',
              ],
              message:
                'Import the @flow/<subgraph> or @flow/router (or its /testing) instead of reaching into its files.',
            },
          ],
        },
      ],
    },
  },
);
