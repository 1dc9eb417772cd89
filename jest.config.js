const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

// Every package and subgraph folder with a jest.config.js is a project: adding one needs no edit here.
const projectsIn = (parent) =>
  readdirSync(join(__dirname, parent))
    .filter((name) => existsSync(join(__dirname, parent, name, 'jest.config.js')))
    .sort()
    .map((name) => `<rootDir>/${parent}/${name}`);

/** @type {import('jest').Config} */
module.exports = {
  // Global options (a project's own testTimeout is ignored when jest runs projects).
  testTimeout: 60000,
  projects: [
    ...projectsIn('packages'),
    ...projectsIn('subgraphs'),
    '<rootDir>/router',
    '<rootDir>/scripts',
    '<rootDir>/test',
  ],
};
