import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** The exit code, or null when a signal ended it (then `child.signalCode` names it). */
  exited: Promise<number | null>;
}

/** Tells a process that it is supervised: it stops by itself when its stdin closes. */
export const SUPERVISED_VARIABLE = 'FLOW_SUPERVISED';

/**
 * How Node runs TypeScript from source: through tsx, with workspace packages resolved to their
 * sources (the `flow-source` export condition, README "Build") rather than to their dist/.
 */
export const SOURCE_NODE_ARGS = ['--conditions=flow-source', '--import', 'tsx'];

/**
 * Runs an entry point: compiled JavaScript (`.js`) with plain `node`, TypeScript with
 * SOURCE_NODE_ARGS (no tsx CLI in between: the pid is the process itself), its output prefixed
 * with its name. `nodeArgs` go to node before the entry point (V8 flags that NODE_OPTIONS refuses).
 *
 * Its stdin is a pipe that this process never writes to: when this process dies, even by
 * SIGKILL, the child reads end-of-file and shuts itself down (FLOW_SUPERVISED, see the platform's
 * onShutdownSignal). Node has no "die with the parent" option; this is the portable equivalent.
 */
export function startProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  quiet = false,
  nodeArgs: readonly string[] = [],
): ManagedProcess {
  // Its own process group: a Ctrl-C in the terminal reaches only the supervisor, which then stops
  // the children in order instead of all of them at once.
  const args = [...nodeArgs, ...(entry.endsWith('.ts') ? SOURCE_NODE_ARGS : []), entry];
  const child = spawn(process.execPath, args, {
    env: { ...env, [SUPERVISED_VARIABLE]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // The pipe only signals by closing; a child that exits first must not crash us with EPIPE.
  child.stdin!.on('error', () => {});
  const pad = name.padEnd(8);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      if (!quiet) process.stdout.write(`${pad}| ${line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, exited };
}

export function hasExited(process: ManagedProcess): boolean {
  return process.child.exitCode !== null || process.child.signalCode !== null;
}

/** "code 1" or "signal SIGKILL", for messages. */
export function describeExit(process: ManagedProcess): string {
  const { exitCode, signalCode } = process.child;
  return signalCode ? `signal ${signalCode}` : `code ${exitCode}`;
}

/**
 * Polls a readiness URL until it answers 200, the process dies, or time runs out. Often: each
 * poll before the port listens is a refused connection, and `npm start` waits on three rounds.
 */
export async function waitUntilReady(
  process: ManagedProcess,
  url: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void process.exited.then(() => (died = true));
  while (Date.now() < deadline) {
    if (died) throw new Error(`${process.name} exited before it became ready`);
    try {
      if ((await httpRequest(url, { timeoutMs: 2000 })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${process.name} did not become ready within ${timeoutMs / 1000} s (${url})`);
}

/**
 * One plain HTTP request (no TLS: the platform's own processes on loopback). node:http rather
 * than fetch: fetch loads undici, about 10 MB more in the supervisor for its whole life.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    req.on('error', reject);
    if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error('timed out')));
    req.end(options.body);
  });
}

/** SIGTERM, then SIGKILL to its whole process group if it has not exited in time. */
export async function stopProcess(process: ManagedProcess, graceMs = 15_000): Promise<void> {
  if (hasExited(process)) return;
  process.child.kill('SIGTERM');
  const timer = setTimeout(() => killGroup(process, 'SIGKILL'), graceMs);
  await process.exited;
  clearTimeout(timer);
}

/** Signals the process's group (it leads one: detached), so nothing it started survives it. */
export function killGroup(process: ManagedProcess, signal: NodeJS.Signals): void {
  const pid = process.child.pid;
  if (pid === undefined) return;
  try {
    globalThis.process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .listen(port, host, () => probe.close(() => done(true)));
  });
}

/** Waits until nothing listens on the port any more (a killed process's socket is released). */
export async function waitForPortFree(port: number, timeoutMs: number, host?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortFree(port, host))) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}
