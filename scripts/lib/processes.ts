import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point with tsx as its own process, its output prefixed with its name. */
export function startProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  quiet = false,
): ManagedProcess {
  // Its own process group: a Ctrl-C in the terminal reaches only the supervisor, which then stops
  // the children in order instead of all of them at once.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pad = name.padEnd(8);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      if (!quiet) process.stdout.write(`${pad}| ${line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, exited };
}

/** Polls a readiness URL until it answers 200, the process dies, or time runs out. */
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
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${process.name} did not become ready within ${timeoutMs / 1000} s (${url})`);
}

/** SIGTERM, then SIGKILL if it has not exited in time. */
export async function stopProcess(process: ManagedProcess, graceMs = 10_000): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGTERM');
  const timer = setTimeout(() => process.child.kill('SIGKILL'), graceMs);
  await process.exited;
  clearTimeout(timer);
}
