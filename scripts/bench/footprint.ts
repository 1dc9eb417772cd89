// `npm run bench:footprint`: the whole `npm start` platform, run from source (tsx, as before the
// compiled build) and compiled (node dist/), side by side in one run. For each: time from launch
// to "Flow is running." on a fresh data folder (cold: new embedded database, migrations, demo
// seed) and again on the same folder (warm), and the resident memory of every process once it
// runs. Each start has its own ports and data folder, is bounded in time, and everything it
// started is killed at the end, also on Ctrl-C or failure.
//   npm run bench:footprint        (FOOTPRINT_RUNS=source,dist  FOOTPRINT_TIMEOUT_SECONDS=240)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphCatalog } from '@flow/core';
import { descendants } from '../../test/support/platform-process';
import { runBenchmark } from './measure';
import { SOURCE_NODE_ARGS } from '../lib/processes';

type Mode = 'source' | 'dist';
const root = join(__dirname, '..', '..');
const modes = (process.env.FOOTPRINT_RUNS ?? 'source,dist').split(',') as Mode[];
const timeoutMs = Number(process.env.FOOTPRINT_TIMEOUT_SECONDS ?? 240) * 1000;
const dataDirs: string[] = [];
const launched = new Set<ChildProcess>();
const seenPids = new Set<number>();

interface Sample {
  seconds: number;
  /** Resident set size in MB, by role (router, users, ..., supervisor, watchdog). */
  rss: Map<string, number>;
  /** Proportional set size of the embedded PostgreSQL's processes (shared memory counted once). */
  postgresPss: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function memoryKb(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/${file}`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(line?.split(/\s+/)[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Which part of the platform a command line is. */
function role(command: string): string | undefined {
  if (command.includes('scripts/start.ts')) return 'supervisor';
  if (command.includes('scripts/watchdog.ts')) return 'watchdog';
  if (command.includes('router/')) return 'router';
  return subgraphCatalog.find(({ name }) => command.includes(`subgraphs/${name}/`))?.name;
}

function sample(pid: number, seconds: number): Sample {
  const rss = new Map<string, number>();
  let postgresPss = 0;
  for (const info of descendants(pid).concat({ pid, ppid: 0, command: 'scripts/start.ts' })) {
    seenPids.add(info.pid);
    if (info.command.startsWith('postgres') || info.command.includes('/bin/postgres')) {
      postgresPss += memoryKb(info.pid, 'smaps_rollup', 'Pss') / 1024;
      continue;
    }
    const name = role(info.command);
    if (name) rss.set(name, (rss.get(name) ?? 0) + memoryKb(info.pid, 'status', 'VmRSS') / 1024);
  }
  return { seconds, rss, postgresPss };
}

function killGroups() {
  for (const pid of seenPids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already, or not a group leader.
    }
  }
}

/** One `npm start` (the supervisor itself, as npm would exec it) until it prints its banner. */
async function startOnce(mode: Mode, dataDir: string): Promise<Sample> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    START_FROM: mode,
    FLOW_DATA_DIR: dataDir,
    ROUTER_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  for (const { name } of subgraphCatalog) env[`${name.toUpperCase()}_PORT`] = String(await freePort());
  const started = Date.now();
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  launched.add(child);
  seenPids.add(child.pid!);
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${mode}: not running after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const watch = (chunk: Buffer) => {
        output += chunk.toString();
        for (const { pid } of descendants(child.pid!)) seenPids.add(pid);
        if (output.includes('Flow is running.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', watch);
      child.stderr!.on('data', watch);
      void exited.then(() => reject(new Error(`${mode}: npm start exited:\n${output.slice(-3000)}`)));
    });
    return sample(child.pid!, (Date.now() - started) / 1000);
  } finally {
    // The orderly stop (router, subgraphs, database), as Ctrl-C would; SIGKILL after a deadline.
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
    killGroups();
    launched.delete(child);
  }
}

const mb = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} MB`);
const ratio = (before: number | undefined, after: number | undefined) =>
  before && after ? `${(after / before).toFixed(2)}x` : '-';

function report(results: Map<Mode, { cold: Sample; warm: Sample }>) {
  const [before, after] = [results.get('source'), results.get('dist')];
  const roles = ['router', ...subgraphCatalog.map(({ name }) => name), 'supervisor', 'watchdog'];
  const nodeTotal = (s?: Sample) => (s ? [...s.rss.values()].reduce((a, b) => a + b, 0) : undefined);
  const rows: [string, string, string, string][] = [
    ['', 'source (tsx)', 'compiled (dist)', 'ratio'],
    ...roles.map((name): [string, string, string, string] => [
      `RSS ${name}`,
      mb(before?.warm.rss.get(name)),
      mb(after?.warm.rss.get(name)),
      ratio(before?.warm.rss.get(name), after?.warm.rss.get(name)),
    ]),
    [
      'RSS all Node processes',
      mb(nodeTotal(before?.warm)),
      mb(nodeTotal(after?.warm)),
      ratio(nodeTotal(before?.warm), nodeTotal(after?.warm)),
    ],
    [
      'PSS embedded PostgreSQL',
      mb(before?.warm.postgresPss),
      mb(after?.warm.postgresPss),
      ratio(before?.warm.postgresPss, after?.warm.postgresPss),
    ],
    [
      'to "Flow is running" cold',
      `${before?.cold.seconds.toFixed(1) ?? '-'} s`,
      `${after?.cold.seconds.toFixed(1) ?? '-'} s`,
      ratio(before?.cold.seconds, after?.cold.seconds),
    ],
    [
      'to "Flow is running" warm',
      `${before?.warm.seconds.toFixed(1) ?? '-'} s`,
      `${after?.warm.seconds.toFixed(1) ?? '-'} s`,
      ratio(before?.warm.seconds, after?.warm.seconds),
    ],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('\nMemory after the warm start; cold = fresh data folder (initdb, migrations, seed).');
  for (const row of rows)
    console.log(row.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  '));
  console.log('Targets: all Node processes under 1024 MB, warm start under 15 s.');
}

async function main() {
  const results = new Map<Mode, { cold: Sample; warm: Sample }>();
  for (const mode of modes) {
    const dataDir = mkdtempSync(join(tmpdir(), `flow-footprint-${mode}-`));
    dataDirs.push(dataDir);
    console.log(`${mode}: cold start ...`);
    const cold = await startOnce(mode, dataDir);
    console.log(`${mode}: warm start ...`);
    const warm = await startOnce(mode, dataDir);
    results.set(mode, { cold, warm });
  }
  report(results);
}

runBenchmark(main, async () => {
  for (const child of launched) child.kill('SIGTERM');
  killGroups();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
