// `npm test`: lint, format and type checks, then every jest project against the real services
// on this machine (PostgreSQL; tests fail, not skip, when it is unreachable). Ends with one
// summary line: "Tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  APOLLO_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  CHECKPOINT_DISABLE: '1',
};
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (label, command, args) => {
  console.log(`\n== ${label}: ${[command.split('/').pop(), ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  return result.status === 0;
};

const jestArgs = process.argv.slice(2);
const checks = {};
if (jestArgs.length === 0) {
  checks.lint = run('lint', bin('eslint'), ['.', '--max-warnings', '0']);
  checks.format = run('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  checks.typecheck = run('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  checks.imports = run('imports', 'npm', ['run', '--silent', 'check:imports']);
}

const results = join(root, '.jest-results.json');
rmSync(results, { force: true });
const jestPassed = run('tests', bin('jest'), ['--ci', '--json', `--outputFile=${results}`, ...jestArgs]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const summary = JSON.parse(readFileSync(results, 'utf8'));
  passed = summary.numPassedTests;
  failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
  skipped = summary.numPendingTests + summary.numTodoTests;
} else {
  failed = 1;
}
const failedChecks = Object.entries(checks)
  .filter(([, ok]) => !ok)
  .map(([name]) => name);
console.log(
  `\nchecks: ${
    Object.keys(checks).length
      ? Object.entries(checks)
          .map(([n, ok]) => `${n} ${ok ? 'ok' : 'FAILED'}`)
          .join(', ')
      : 'skipped (arguments given)'
  }`,
);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(jestPassed && failed === 0 && failedChecks.length === 0 ? 0 : 1);
