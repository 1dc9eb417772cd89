// `npm run bench:footprint`: the whole `npm start` platform in two (or more) ways side by side, in
// one run. For each: the time from launch to "Flow is running." on a fresh data folder (cold: new
// embedded database, migrations, demo seed) and again on the same folder (warm); the memory of
// every process once it runs and again after a load of GraphQL requests through the router (as
// the demo hospital admin: reads across every subgraph, and orders placed), with the latency of
// those requests. Each start has its own ports and data folder, is bounded in time, and
// everything it started is killed at the end, also on Ctrl-C or failure.
//   npm run bench:footprint     FOOTPRINT_RUNS=previous,dist (the first is the baseline of the ratios)
//                               FOOTPRINT_REQUESTS=400  FOOTPRINT_TIMEOUT_SECONDS=240
//                               FOOTPRINT_SAVE=<file>: writes the last run's figures (JSON)
//                               FOOTPRINT_BASELINE=<file>: a saved run becomes the first column
//                               FOOTPRINT_COMPARE=<file>,<file>: prints saved runs side by side,
//                               starting nothing
//                               FOOTPRINT_VARIANTS='{"<name>":{"<VARIABLE>":"<value>"}}': more
//                               ways, each `npm start` with those variables (a setting measured
//                               on its own: FOOTPRINT_RUNS=dist,<name>)
//                               FOOTPRINT_COLD=once: only the first way starts cold; the others
//                               start warm on its data folder (a setting's memory, sooner)
//                               FOOTPRINT_DATA_DIR=<dir>: no cold start, every way warm on a data
//                               folder that `npm start` set up (FLOW_DATA_DIR), kept afterwards
//                               (the code as it was before a change, measured on this machine)
// The ways to start:
//   dist      `npm start` as it is (scripts/start.sh: build, then the compiled supervisor).
//   previous  as `npm start` ran before its memory work: the supervisor from source (tsx), every
//             process with only the settings of that time (LEAN_PROCESSES=false,
//             MALLOC_ARENA_MAX=2, NODE_OPTIONS=--max-semi-space-size=2).
// A saved run (FOOTPRINT_SAVE) of an earlier commit, checked out and built on this machine, is
// the honest "before" of a change: FOOTPRINT_BASELINE=<file> puts it in the first column.
//   source    START_FROM=source: everything from source through tsx (development).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphCatalog } from '@flow/core';
import { descendants } from '../../test/support/platform-process';
import { BENCH_LIMITS, CLOCK_TICKS_PER_SECOND, percentile, runBenchmark } from './measure';
import { SOURCE_NODE_ARGS } from '../lib/processes';
import { driveLoad, type LoadResult } from './footprint-load';

const MODES = {
  dist: { label: 'npm start', command: ['sh', 'scripts/start.sh'], env: {} },
  previous: {
    label: 'previous',
    command: [process.execPath, ...SOURCE_NODE_ARGS, 'scripts/start.ts'],
    env: {
      LEAN_PROCESSES: 'false',
      MALLOC_ARENA_MAX: '2',
      NODE_OPTIONS: '--max-semi-space-size=2',
    },
  },
  source: {
    label: 'source (tsx)',
    command: [process.execPath, ...SOURCE_NODE_ARGS, 'scripts/start.ts'],
    env: { START_FROM: 'source' },
  },
} as const;
type Way = { label: string; command: readonly string[]; env: Record<string, string> };

/** `npm start` with more variables, by name (FOOTPRINT_VARIANTS). */
const variants = JSON.parse(process.env.FOOTPRINT_VARIANTS ?? '{}') as Record<string, Record<string, string>>;
const ways: Record<string, Way> = {
  ...MODES,
  ...Object.fromEntries(
    Object.entries(variants).map(([name, env]) => [name, { label: name, command: MODES.dist.command, env }]),
  ),
};

const root = join(__dirname, '..', '..');
const baselineFile = process.env.FOOTPRINT_BASELINE;
const saveFile = process.env.FOOTPRINT_SAVE;
const modes = (process.env.FOOTPRINT_RUNS ?? (baselineFile ? 'dist' : 'previous,dist'))
  .split(',')
  .map((m) => m.trim());
for (const mode of modes) {
  if (!(mode in ways)) throw new Error(`FOOTPRINT_RUNS: unknown ${mode} (${Object.keys(ways).join(', ')})`);
}
const coldOnce = process.env.FOOTPRINT_COLD === 'once';
/** A data folder already set up (and seeded) by `npm start`: every way starts warm on it, kept. */
const givenDataDir = process.env.FOOTPRINT_DATA_DIR;
const timeoutMs = Number(process.env.FOOTPRINT_TIMEOUT_SECONDS ?? 240) * 1000;
const requests = Number(process.env.FOOTPRINT_REQUESTS ?? 400);
const dataDirs: string[] = [];
const launched = new Set<ChildProcess>();
const seenPids = new Set<number>();

/** Memory in MB by role (router, users, ..., supervisor, watchdog, postgres), and CPU time. */
interface Memory {
  rss: Map<string, number>;
  /** Proportional set size: a page shared by n processes (node's own code) counts 1/n in each. */
  pss: Map<string, number>;
  /** CPU seconds spent so far by every process of the platform (with their finished children). */
  cpu: number;
}

interface Run {
  cold: number;
  warm: number;
  started: Memory;
  loaded: Memory;
  load: LoadResult;
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
  if (/scripts\/(dist\/)?start\.[jt]s/.test(command)) return 'supervisor';
  if (/scripts\/(dist\/)?watchdog\.[jt]s|scripts\/watchdog\.sh/.test(command)) return 'watchdog';
  if (command.startsWith('postgres') || command.includes('/bin/postgres')) return 'postgres';
  if (command.includes('router/')) return 'router';
  return subgraphCatalog.find(({ name }) => command.includes(`subgraphs/${name}/`))?.name;
}

function sample(supervisor: number): Memory {
  const memory: Memory = { rss: new Map(), pss: new Map(), cpu: 0 };
  const self = { pid: supervisor, ppid: 0, command: 'scripts/start.ts' };
  for (const info of [self, ...descendants(supervisor)]) {
    seenPids.add(info.pid);
    const name = role(info.command);
    if (!name) continue;
    memory.cpu += cpuSeconds(info.pid);
    const add = (map: Map<string, number>, kb: number) => map.set(name, (map.get(name) ?? 0) + kb / 1024);
    add(memory.rss, memoryKb(info.pid, 'status', 'VmRSS'));
    add(memory.pss, memoryKb(info.pid, 'smaps_rollup', 'Pss'));
  }
  return memory;
}

/** utime + stime + cutime + cstime: its own CPU time and that of the children it waited for. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
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

/**
 * One `npm start` (the supervisor itself, as npm would exec it) until it prints its banner; then
 * `whileRunning`, then the orderly stop (SIGTERM, as npm forwards it), SIGKILL after a deadline.
 */
async function startOnce<T>(
  mode: string,
  dataDir: string,
  whileRunning: (routerUrl: string, supervisor: number) => Promise<T>,
): Promise<{ seconds: number; result: T }> {
  const routerPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...BENCH_LIMITS,
    ...ways[mode]!.env,
    FLOW_DATA_DIR: dataDir,
    ROUTER_PORT: String(routerPort),
    LOG_LEVEL: 'warn',
    // On a machine busy with other work a call can take seconds: a slow start is measured, not failed.
    SUBGRAPH_TIMEOUT_MS: '60000',
    DEPENDENCY_TIMEOUT_MS: '30000',
  };
  delete env.DATABASE_URL;
  for (const { name } of subgraphCatalog) env[`${name.toUpperCase()}_PORT`] = String(await freePort());
  const [command, ...args] = ways[mode]!.command as [string, ...string[]];
  const started = Date.now();
  const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
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
    const seconds = (Date.now() - started) / 1000;
    return { seconds, result: await whileRunning(`http://127.0.0.1:${routerPort}/graphql`, child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
    killGroups();
    launched.delete(child);
  }
}

async function measure(mode: string): Promise<Run> {
  const reused = givenDataDir ?? (coldOnce ? dataDirs[0] : undefined);
  const dataDir = reused ?? mkdtempSync(join(tmpdir(), `flow-footprint-${mode}-`));
  if (!reused) dataDirs.push(dataDir);
  console.log(reused ? `${mode}: no cold start (${reused})` : `${mode}: cold start ...`);
  const cold = reused ? { seconds: 0 } : await startOnce(mode, dataDir, async () => undefined);
  console.log(`${mode}: warm start, then ${requests} requests ...`);
  const warm = await startOnce(mode, dataDir, async (routerUrl, supervisor) => {
    const started = sample(supervisor);
    const load = await driveLoad(routerUrl, requests);
    return { started, load, loaded: sample(supervisor) };
  });
  return { cold: cold.seconds, warm: warm.seconds, ...warm.result };
}

const total = (values: Map<string, number>, except?: string) =>
  [...values].filter(([name]) => name !== except).reduce((sum, [, mb]) => sum + mb, 0);

/** A run as JSON (Maps as objects), and back. */
function saveRun(file: string, label: string, run: Run) {
  const memory = (m: Memory) => ({
    rss: Object.fromEntries(m.rss),
    pss: Object.fromEntries(m.pss),
    cpu: m.cpu,
  });
  const saved = { label, ...run, started: memory(run.started), loaded: memory(run.loaded) };
  writeFileSync(file, `${JSON.stringify(saved, null, 1)}\n`);
}

function loadRun(file: string): [string, Run] {
  type SavedMemory = { rss: Record<string, number>; pss: Record<string, number>; cpu: number };
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Omit<Run, 'started' | 'loaded'> & {
    label: string;
    started: SavedMemory;
    loaded: SavedMemory;
  };
  const memory = (m: SavedMemory): Memory => ({
    rss: new Map(Object.entries(m.rss)),
    pss: new Map(Object.entries(m.pss)),
    cpu: m.cpu,
  });
  return [saved.label, { ...saved, started: memory(saved.started), loaded: memory(saved.loaded) }];
}

function report(results: [string, Run][]) {
  const roles = ['router', ...subgraphCatalog.map(({ name }) => name), 'supervisor', 'watchdog'];
  const base = results[0]![1];
  const ratio = (before: number, after: number) => (before > 0 ? `${(after / before).toFixed(2)}x` : '-');
  const rows: string[][] = [
    [
      'MB, or as named',
      ...results.flatMap(([label]) => [`${label}: started`, 'after load']),
      ...results.slice(1).flatMap(() => ['ratio: started', 'after load']),
    ],
  ];
  const row = (label: string, value: (run: Run, when: 'started' | 'loaded') => number, digits = 0) => {
    const cells = results.flatMap(([, run]) => [value(run, 'started'), value(run, 'loaded')]);
    rows.push([
      label,
      ...cells.map((v) => v.toFixed(digits)),
      ...results
        .slice(1)
        .flatMap(([, run]) => [
          ratio(value(base, 'started'), value(run, 'started')),
          ratio(value(base, 'loaded'), value(run, 'loaded')),
        ]),
    ]);
  };
  for (const name of roles) row(`RSS ${name}`, (run, when) => run[when].rss.get(name) ?? 0);
  for (const name of roles) row(`PSS ${name}`, (run, when) => run[when].pss.get(name) ?? 0);
  row('RSS all Node processes', (run, when) => total(run[when].rss, 'postgres'));
  row('PSS all Node processes', (run, when) => total(run[when].pss, 'postgres'));
  row('PSS embedded PostgreSQL', (run, when) => run[when].pss.get('postgres') ?? 0);
  const once = (label: string, value: (run: Run) => number, digits = 1) =>
    rows.push([
      label,
      ...results.flatMap(([, run]) => [value(run).toFixed(digits), '']),
      ...results.slice(1).flatMap(([, run]) => [ratio(value(base), value(run)), '']),
    ]);
  once('to "Flow is running" cold, s', (run) => run.cold);
  once('to "Flow is running" warm, s', (run) => run.warm);
  once('CPU to "Flow is running" warm, s', (run) => run.started.cpu);
  once('CPU for the load, s', (run) => run.loaded.cpu - run.started.cpu);
  once('read latency p50, ms', (run) => percentile(run.load.reads, 50), 0);
  once('read latency p95, ms', (run) => percentile(run.load.reads, 95), 0);
  once('placeOrder latency p50, ms', (run) => percentile(run.load.orders, 50), 0);
  once('placeOrder latency p95, ms', (run) => percentile(run.load.orders, 95), 0);
  once(
    'requests per second',
    (run) => (run.load.reads.length + run.load.orders.length) / run.load.seconds,
    0,
  );
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  console.log(
    `\nMemory once "Flow is running" (warm start) and after ${requests} requests through the router` +
      ' (4 clients; RSS counts the pages of node itself in every process, PSS shares them out).',
  );
  for (const r of rows)
    console.log(r.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  '));
  console.log('Targets: all Node processes under 1024 MB, warm start under 15 s.');
}

async function main() {
  const saved = process.env.FOOTPRINT_COMPARE?.split(',').map((file) => file.trim());
  if (saved) return report(saved.map(loadRun));
  const results: [string, Run][] = baselineFile ? [loadRun(baselineFile)] : [];
  for (const mode of modes) results.push([ways[mode]!.label, await measure(mode)]);
  if (saveFile) saveRun(saveFile, results.at(-1)![0], results.at(-1)![1]);
  report(results);
}

runBenchmark(main, async () => {
  for (const child of launched) child.kill('SIGTERM');
  killGroups();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
