import { spawn } from 'node:child_process';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SOURCE_NODE_ARGS } from './processes';
import { repositoryRoot } from './repository';

export interface Watchdog {
  pid: number;
  /** The embedded database's URL, when the watchdog runs one. */
  connectionString?: string;
  watch(pid: number): void;
  unwatch(pid: number): void;
  /** Stops the database (if any) and the watchdog: the last step of an orderly shutdown. */
  stop(timeoutMs?: number): Promise<void>;
  /** Settles when the watchdog exits; unexpectedly, that means the database is gone. */
  exited: Promise<number | null>;
}

/**
 * Starts the watchdog (scripts/watchdog.sh) in a process group of its own, running the embedded
 * PostgreSQL in `postgresDir` when given, and resolves once it is ready. It prepares and awaits the
 * database with scripts/start-postgres.ts (or its compiled scripts/dist/start-postgres.js when this
 * is compiled too), run the way this process runs.
 */
export async function startWatchdog(options: { postgresDir?: string; graceMs: number }): Promise<Watchdog> {
  const starter = join(__dirname, '..', `start-postgres${extname(__filename)}`);
  const script = join(repositoryRoot, 'scripts', 'watchdog.sh');
  const child = spawn('sh', [script, String(Math.ceil(options.graceMs / 1000))], {
    env: {
      ...process.env,
      WATCHDOG_NODE: process.execPath,
      WATCHDOG_NODE_ARGS: starter.endsWith('.ts') ? SOURCE_NODE_ARGS.join(' ') : '',
      WATCHDOG_STARTER: starter,
      ...(options.postgresDir ? { WATCHDOG_POSTGRES_DIR: options.postgresDir } : {}),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  child.stdin.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{ connectionString?: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('ready ')) resolve(JSON.parse(line.slice('ready '.length)));
      else process.stdout.write(`watchdog| ${line}\n`);
    });
    void exited.then((code) => reject(new Error(`the watchdog exited (code ${code}) before it was ready`)));
  });
  const send = (line: string) => {
    if (child.exitCode === null && child.signalCode === null) child.stdin.write(`${line}\n`);
  };
  const { connectionString } = await ready;
  return {
    pid: child.pid!,
    connectionString,
    watch: (pid) => send(`watch ${pid}`),
    unwatch: (pid) => send(`unwatch ${pid}`),
    stop: async (timeoutMs = 30_000) => {
      send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    exited,
  };
}
