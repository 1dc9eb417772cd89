// Every process the benchmark starts, in one registry: each leads a process group of its own
// (detached) and holds a pipe on stdin that the harness never writes to, so that it stops by
// itself when the harness dies (FLOW_SUPERVISED). `stopEverything` ends them all, also on failure
// and on Ctrl-C; `leftovers` lists any pid, child or descendant, still alive afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CLOCK_TICKS_PER_SECOND, processCpuMs, procStatFields } from '../measure';
import { descendants, isRunning } from '../../../test/support/platform-process';
import { SUPERVISED_VARIABLE } from '../../lib/processes';

export interface Tracked {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** The last lines it printed, for the message when it fails to start. */
  tail: () => string;
}

const tracked: Tracked[] = [];
const everyPid = new Set<number>();

export function startTracked(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string } = {},
): Tracked {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...env, [SUPERVISED_VARIABLE]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdin!.on('error', () => {});
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 60) lines.shift();
      if (process.env.BENCH_VERBOSE) process.stderr.write(`${name.padEnd(10)}| ${line}\n`);
    });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const entry: Tracked = { name, child, pid: child.pid!, exited, tail: () => lines.join('\n') };
  tracked.push(entry);
  everyPid.add(child.pid!);
  return entry;
}

/** A process's pid and its live descendants' (remembered, so that the final check sees them). */
export function pidsOf(entry: Tracked): number[] {
  const pids = [entry.pid, ...descendants(entry.pid).map((d) => d.pid)];
  for (const pid of pids) everyPid.add(pid);
  return pids;
}

/** utime + stime of a process and its descendants, ms. */
export function cpuMsOf(entry: Tracked): number {
  return pidsOf(entry).reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
}

function statusKb(pid: number, field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return Number(line?.split(/\s+/)[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Peak resident memory (VmHWM) of a process plus its descendants', MB. */
export function peakRssMbOf(entry: Tracked): number {
  return pidsOf(entry).reduce((sum, pid) => sum + statusKb(pid, 'VmHWM'), 0) / 1024;
}

/** Resident memory now (VmRSS) of a process plus its descendants', MB. */
export function rssMbOf(entry: Tracked): number {
  return pidsOf(entry).reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0) / 1024;
}

/** Processes the benchmark did not start but charges a system with (Postgres): CPU only. */
export interface Outside {
  name: string;
  cpuMs: () => number;
}

/** What a system's CPU is counted from: a process the benchmark started, or an outside one. */
export type Charged = Tracked | Outside;

export const chargedCpuMs = (charged: Charged): number =>
  'cpuMs' in charged ? charged.cpuMs() : cpuMsOf(charged);
export const chargedPeakRssMb = (charged: Charged): number =>
  'cpuMs' in charged ? NaN : peakRssMbOf(charged);

/**
 * Every Postgres process of this machine: the server the benchmark uses (its own schemas in the
 * shared server). CPU = each live process's, plus the postmaster's reaped children's (a backend
 * that exits between two readings keeps counting). Whatever else uses the server at the time is
 * counted too: the figure is the benchmark's own only on an otherwise idle server.
 */
export const postgresServer: Outside = {
  name: 'postgres',
  cpuMs: () => {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let command: string;
      try {
        command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
      if (command !== 'postgres') continue;
      const fields = procStatFields(pid);
      if (!fields) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
      let parentCommand = '';
      try {
        parentCommand = readFileSync(`/proc/${fields[1]}/comm`, 'utf8').trim();
      } catch {
        // the parent is gone: count this one as the postmaster
      }
      if (parentCommand !== 'postgres') ticks += Number(fields[13]) + Number(fields[14]);
    }
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  },
};

/** Polls a URL until it answers 2xx, the process exits, or time runs out. */
export async function waitForUrl(
  entry: Tracked,
  url: string,
  timeoutMs = 90_000,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void entry.exited.then(() => (died = true));
  while (Date.now() < deadline) {
    if (died) throw new Error(`${entry.name} exited before it was ready:\n${entry.tail()}`);
    try {
      if ((await fetch(url, { headers, signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${entry.name} not ready within ${timeoutMs / 1000} s (${url}):\n${entry.tail()}`);
}

const hasExited = (entry: Tracked) => entry.child.exitCode !== null || entry.child.signalCode !== null;

/** SIGTERM to every process (routers and gateways first), SIGKILL to every group after a grace. */
export async function stopEverything(graceMs = 10_000): Promise<void> {
  for (const entry of tracked) pidsOf(entry);
  const live = tracked.filter((entry) => !hasExited(entry));
  for (const entry of live) entry.child.kill('SIGTERM');
  await Promise.race([
    Promise.all(live.map((entry) => entry.exited)),
    new Promise((r) => setTimeout(r, graceMs).unref()),
  ]);
  for (const pid of everyPid) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await Promise.all(live.map((entry) => entry.exited));
}

/** Every pid the harness started or saw under what it started. */
export const startedPids = (): number[] => [...everyPid];

/** Those still running (a zombie awaiting its reaper counts as gone). */
export const leftovers = (): number[] => [...everyPid].filter((pid) => isRunning(pid));
