// The two Node steps of the watchdog's embedded PostgreSQL (scripts/watchdog.sh runs the server
// itself, as its own child, between them; a Node watchdog would cost 50 MB for the platform's
// whole life):
//   prepare           the cluster (initdb on first use), port and password in WATCHDOG_POSTGRES_DIR;
//                     prints the server's command line, one argument a line.
//   ready <pid>       once the server (pid) accepts connections and has the database, prints
//                     `ready <json>`, the line the supervisor waits for.
import { awaitEmbeddedPostgres, prepareEmbeddedPostgres } from '@flow/dev-tools';

async function main() {
  const [step, pid] = process.argv.slice(2);
  const dataDir = process.env.WATCHDOG_POSTGRES_DIR;
  if (!dataDir) throw new Error('WATCHDOG_POSTGRES_DIR is not set');
  if (step === 'prepare') {
    // The watchdog (our parent) owns the server: a second `npm start` on this folder is refused
    // while it lives, and its server is stopped as an orphan once it is gone.
    const { command } = await prepareEmbeddedPostgres({ dataDir, ownerPid: process.ppid });
    process.stdout.write(`${command.join('\n')}\n`);
  } else if (step === 'ready' && Number(pid) > 0) {
    const ready = await awaitEmbeddedPostgres({ dataDir, serverPid: Number(pid) });
    process.stdout.write(`ready ${JSON.stringify(ready)}\n`);
  } else {
    throw new Error('usage: start-postgres prepare | ready <server pid>');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
