// Shared jest settings. jose (and a few graphql-ws internals) ship ESM only, so they are
// transformed along with our TypeScript; everything else in node_modules is left alone.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Workspace packages from their sources, not their dist/ (README "Build").
  testEnvironmentOptions: { customExportConditions: ['flow-source', 'node', 'node-addons'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node10',
          allowJs: true,
          isolatedModules: true,
          esModuleInterop: true,
          types: ['node', 'jest'],
        },
        diagnostics: false,
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|graphql-ws)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 60000,
  setupFiles: [require('node:path').join(__dirname, 'jest.setup.js')],
};
