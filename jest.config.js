const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

// Every subgraph folder with a jest.config.js is a project: adding a subgraph needs no edit here.
const subgraphs = readdirSync(join(__dirname, 'subgraphs'))
  .filter((name) => existsSync(join(__dirname, 'subgraphs', name, 'jest.config.js')))
  .sort()
  .map((name) => `<rootDir>/subgraphs/${name}`);

/** @type {import('jest').Config} */
module.exports = {
  // Global options (a project's own testTimeout is ignored when jest runs projects).
  testTimeout: 60000,
  projects: [
    '<rootDir>/packages/contracts',
    '<rootDir>/packages/platform',
    ...subgraphs,
    '<rootDir>/router',
    '<rootDir>/scripts',
    '<rootDir>/test',
  ],
};
