/** @type {import('jest').Config} */
module.exports = {
  // Global options (a project's own testTimeout is ignored when jest runs projects).
  testTimeout: 60000,
  projects: [
    '<rootDir>/packages/contracts',
    '<rootDir>/packages/platform',
    '<rootDir>/subgraphs/users',
    '<rootDir>/subgraphs/locations',
    '<rootDir>/subgraphs/inventory',
    '<rootDir>/subgraphs/pricing',
    '<rootDir>/subgraphs/payments',
    '<rootDir>/subgraphs/notifications',
    '<rootDir>/subgraphs/orders',
    '<rootDir>/router',
    '<rootDir>/scripts',
    '<rootDir>/test',
  ],
};
