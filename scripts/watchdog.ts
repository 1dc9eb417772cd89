// The watchdog of `npm start`: started by the supervisor in a process group of its own (a Ctrl-C
// in the terminal does not reach it), it runs the embedded PostgreSQL when asked to and makes
// sure that nothing outlives the supervisor.
//
// stdin is its line to the supervisor: `watch <pid>` / `unwatch <pid>` name the children, `stop`
// stops the database and ends the watchdog (the supervisor's orderly shutdown, database last).
// When stdin closes without `stop`, the supervisor died (kill -9): the children saw their own
// stdin close and are stopping; whatever still runs after the grace period is killed, then the
// database is stopped. stdout: `ready <json>` once the database is up, and log lines.
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@flow/dev-tools';

const graceMs = Number(process.env.WATCHDOG_GRACE_MS ?? 15_000);
const postgresDir = process.env.WATCHDOG_POSTGRES_DIR;
const watched = new Set<number>();
let database: EmbeddedPostgres | undefined;
let finishing: Promise<void> | undefined;

function say(line: string) {
  // After the supervisor is gone nobody reads this; a failed write is not a reason to stop.
  process.stdout.write(`${line}\n`);
}
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopDatabase() {
  if (!database) return;
  await Promise.race([database.stop(), new Promise((r) => setTimeout(r, graceMs))]);
  say('embedded PostgreSQL stopped');
}

/** Orderly: the supervisor stopped its children already. */
function finish(code: number) {
  finishing ??= (async () => {
    await stopDatabase();
    process.exit(code);
  })();
  return finishing;
}

/** The supervisor is gone: children first (they stop by themselves, or are killed), database last. */
function orphaned() {
  finishing ??= (async () => {
    const deadline = Date.now() + graceMs;
    while ([...watched].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await started.catch(() => {});
    for (const pid of watched) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await stopDatabase();
    process.exit(0);
  })();
}

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const [command, argument] = line.trim().split(/\s+/);
  const pid = Number(argument);
  if (command === 'watch' && pid > 0) watched.add(pid);
  else if (command === 'unwatch') watched.delete(pid);
  else if (command === 'stop') void finish(0);
});
commands.on('close', orphaned);
// Only the supervisor should stop us, but an operator's signal still ends things in order.
process.on('SIGTERM', () => void finish(0));
process.on('SIGINT', () => void finish(0));
process.on('SIGHUP', () => {});

async function main() {
  if (postgresDir) {
    database = await startEmbeddedPostgres({ dataDir: postgresDir });
    // The server exiting on its own (crash, killed) leaves the platform without a database.
    void database.exited.then(() => {
      if (finishing) return;
      say('the embedded PostgreSQL exited unexpectedly');
      process.exit(1);
    });
  }
  say(`ready ${JSON.stringify({ connectionString: database?.connectionString, port: database?.port })}`);
}

const started = main();
started.catch((error: unknown) => {
  say(`the embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
