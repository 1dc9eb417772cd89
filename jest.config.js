/** @type {import('jest').Config} */
module.exports = {
  projects: [
    '<rootDir>/packages/platform',
    '<rootDir>/subgraphs/users',
    '<rootDir>/router',
    '<rootDir>/scripts',
    '<rootDir>/test',
  ],
};
