// `npm start` as a process under test: its output, its process tree (read from /proc, so that
// every pid it ever had can be checked and, whatever happens, killed at the end), its ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subgraphCatalog } from '@flow/core';
import { freePort } from '../environment';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

function readProcess(pid: number): (ProcessInfo & { state: string }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: fields follow the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(ppid), command, state: state! };
  } catch {
    return undefined;
  }
}

/** Whether the process still exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  const info = readProcess(pid);
  return info !== undefined && info.state !== 'Z';
}

/** Every live descendant of `root`. */
export function descendants(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo & { state: string } => info !== undefined && info.state !== 'Z');
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const info of all) {
      if (parents.has(info.ppid) && !parents.has(info.pid)) {
        parents.add(info.pid);
        found.push(info);
        grew = true;
      }
    }
  }
  return found;
}

export interface StartedPlatform {
  npm: ChildProcess;
  routerPort: number;
  ports: Record<string, number>;
  output: () => string;
  exited: Promise<number | null>;
  /** Every process seen in its tree so far (remembered by `snapshot`), by pid. */
  seen: Map<number, string>;
  /** Records the current tree and returns it. */
  snapshot: () => ProcessInfo[];
  /** The pid of the supervisor, or of a child whose command contains `part`. */
  pidOf: (part: string) => number;
  waitForOutput: (text: string, timeoutMs?: number) => Promise<void>;
  /** Kills every process ever seen (their groups), whatever state the test left them in. */
  cleanup: () => void;
}

/** Runs `npm start` in a process group of its own (as a terminal would) on free ports. */
export async function startPlatform(extraEnv: Record<string, string | undefined>): Promise<StartedPlatform> {
  const routerPort = await freePort();
  const ports = Object.fromEntries(
    await Promise.all(subgraphCatalog.map(async ({ name }) => [name, await freePort()] as const)),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ROUTER_PORT: String(routerPort),
    ...Object.fromEntries(
      subgraphCatalog.map(({ name }) => [`${name.toUpperCase()}_PORT`, String(ports[name])]),
    ),
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    // An npm run under jest would otherwise report to the jest worker's npm settings.
    npm_config_update_notifier: 'false',
  };
  for (const [key, value] of Object.entries(extraEnv)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: join(__dirname, '..', '..'),
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk) => (output += chunk));
  npm.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => npm.on('exit', resolve));
  const seen = new Map<number, string>();
  const snapshot = () => {
    const tree = descendants(npm.pid!);
    for (const { pid, command } of tree) seen.set(pid, command);
    return tree;
  };
  const platform: StartedPlatform = {
    npm,
    routerPort,
    ports,
    output: () => output,
    exited,
    seen,
    snapshot,
    pidOf: (part) => {
      const found = snapshot().find(({ command }) => command.includes(part));
      if (!found) throw new Error(`no process running ${part} under npm start`);
      return found.pid;
    },
    waitForOutput: async (text, timeoutMs = 150_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (Date.now() > deadline) throw new Error(`npm start never printed "${text}":\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      snapshot();
    },
    cleanup: () => {
      const same = ([pid, command]: [number, string]) => readProcess(pid)?.command === command;
      for (const pid of [npm.pid!, ...[...seen].filter(same).map(([pid]) => pid)]) {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }
    },
  };
  return platform;
}

/** Waits until none of the pids runs any more; returns those that still do at the deadline. */
export async function untilGone(pids: number[], timeoutMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return pids.filter(isRunning);
}
