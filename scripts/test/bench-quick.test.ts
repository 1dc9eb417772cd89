// `npm run bench -- --quick` as CI runs it: it completes, the gateways' answers match the stock
// gateway's, SQL statements per request do not grow with list sizes, nothing is oversold, and
// every process it started is gone and its schemas dropped. No timing is asserted: the figures
// depend on the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { TEST_DATABASE_URL } from '@flow/testing';
import { isRunning } from '../../test/support/platform-process';

jest.setTimeout(900_000);

const root = join(__dirname, '..', '..');
let bench: ChildProcess | undefined;

afterAll(() => {
  // Only if the test failed half-way: the benchmark stops what it started on SIGTERM.
  if (bench && bench.exitCode === null) bench.kill('SIGTERM');
});

interface Report {
  federation: { verification: Record<string, { checked: number; mismatches: number }> };
  operations: {
    statementCounts: { operation: string; bySize: Record<string, number>; flat: boolean }[];
    placeOrder: { placed: number; check: { ok: boolean } };
  };
  overhead: { figures: { requests: number }[] };
  processesStarted: number[];
  processesLeft: number[];
  schemaPrefix: string;
}

it('runs the quick benchmark to the end and leaves nothing behind', async () => {
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    bench = spawn('npm', ['run', '--silent', 'bench', '--', '--quick'], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bench.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bench.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bench.on('error', reject);
    bench.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`npm run bench -- --quick exited with ${code}:\n${output.slice(-5000)}`);
  const file = /Report: (\S+\.json)/.exec(output)?.[1];
  expect(file).toBeDefined();
  const report = JSON.parse(readFileSync(file!, 'utf8')) as Report;

  const verification = Object.entries(report.federation.verification);
  expect(verification.map(([system]) => system)).toEqual(
    expect.arrayContaining(['flow-router', 'apollo-gateway']),
  );
  for (const [, outcome] of verification) {
    expect(outcome.checked).toBeGreaterThan(0);
    expect(outcome.mismatches).toBe(0);
  }
  for (const counts of report.operations.statementCounts) expect(counts).toMatchObject({ flat: true });
  expect(report.operations.statementCounts.map((c) => c.operation)).toHaveLength(2);
  expect(report.operations.placeOrder.placed).toBeGreaterThan(0);
  expect(report.operations.placeOrder.check.ok).toBe(true);
  expect(report.overhead.figures.every((f) => f.requests > 0)).toBe(true);

  expect(report.processesStarted.length).toBeGreaterThan(10);
  expect(report.processesLeft).toEqual([]);
  expect(report.processesStarted.filter((pid) => isRunning(pid))).toEqual([]);

  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE $1',
      [`${report.schemaPrefix}%`],
    );
    expect(rows).toEqual([]);
  } finally {
    await client.end();
  }
});
