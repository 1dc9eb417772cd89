// End-to-end test environment: the users subgraph and the router as real processes (as
// `npm start` runs them), on free ports, with their own Postgres schema and data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphDatabaseUrlVariable } from '@flow/subgraph-kit';
import { subgraphCatalog, subgraphUrlVariable } from '@flow/core';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  dropTestSchema,
  queryTestSchema,
  stopAll,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/testing';
import { startProcess, stopProcess, waitUntilReady, type ManagedProcess } from '../scripts/lib/processes';

const root = join(__dirname, '..');

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Each jest worker takes ports from a block of its own, below the kernel's ephemeral range: two
// test files starting processes at once in different workers can never be handed the same port
// (asking the kernel for port 0 and closing it can give one port to two workers).
const PORT_BLOCK = 500;
const worker = Number(process.env.JEST_WORKER_ID ?? 0) % 24;
let portOffset = Math.floor(Math.random() * PORT_BLOCK);

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORT_BLOCK; tries++) {
    const port = 20_000 + worker * PORT_BLOCK + (portOffset++ % PORT_BLOCK);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port in this worker's block");
}

export interface RunningSubgraph {
  url: string;
  process: ManagedProcess;
  /** Its database URL, with `?schema=` naming its own Postgres schema. */
  databaseUrl: string;
}

export interface PlatformTestEnvironment {
  routerUrl: string;
  subgraphs: Record<string, RunningSubgraph>;
  /** Shortcuts to the users subgraph, which most tests need. */
  usersUrl: string;
  databaseUrl: string;
  users: ManagedProcess;
  router: ManagedProcess;
  dataDir: string;
  gql: GraphQLClient;
  /** SQL statements a subgraph has sent so far (its flow_db_statements_total). */
  statements: (subgraph: string) => Promise<number>;
  /**
   * Starts one more router on the same subgraphs (scale-out tests; benchmarks comparing settings,
   * with variables of its own); stopped with the rest.
   */
  addRouter: (extraEnv?: Record<string, string>) => Promise<{ url: string; process: ManagedProcess }>;
  /** Stops one subgraph: SIGTERM (graceful), or SIGKILL (a crash). */
  stopSubgraph: (name: string, signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>;
  /** Starts a stopped subgraph again on its port and schema, with extra variables if given. */
  startSubgraph: (name: string, extraEnv?: Record<string, string>) => Promise<void>;
  /** A query straight against a subgraph's own Postgres schema (search_path set to it). */
  sql: <Row = Record<string, unknown>>(subgraph: string, text: string, values?: unknown[]) => Promise<Row[]>;
  stop: () => Promise<void>;
}

/**
 * Every subgraph of the catalog and the router as real processes (as `npm start` runs them), on
 * free ports, each subgraph in a Postgres schema of its own, dropped at stop.
 */
export async function createTestEnvironment(
  extraEnv: Record<string, string> = {},
): Promise<PlatformTestEnvironment> {
  // Named as the kit names test schemas (`<what>_test_...`), so a leftover one is recognisable.
  const prefix = uniqueSchemaName('e2e_test');
  const schemaOf = (name: string) => `${prefix}_${name}`;
  const schemas = subgraphCatalog.map(({ name }) => schemaOf(name));
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-e2e-'));
  const quiet = !process.env.E2E_VERBOSE;
  const ports = Object.fromEntries(
    await Promise.all(subgraphCatalog.map(async ({ name }) => [name, await freePort()] as const)),
  );
  const routerPort = await freePort();
  const urls = Object.fromEntries(
    subgraphCatalog.map(({ name }) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
  );
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    FLOW_ENV: 'test',
    LOG_LEVEL: 'warn',
    FLOW_DATA_DIR: dataDir,
    // Lets the key-rotation test see a new kid at once instead of after jose's 30 s cooldown.
    JWKS_COOLDOWN_SECONDS: '0',
    // Every test signs in from 127.0.0.1; the throttle has tests of its own (router/test).
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    PASSWORD_SCRYPT_LOG2_COST: '14',
    // No background recovery runs unless a test asks (order-recovery.test.ts): statement counts
    // must see only what they measure.
    RECOVERY_INTERVAL_MS: '3600000',
    ...Object.fromEntries(subgraphCatalog.map(({ name }) => [subgraphUrlVariable(name), urls[name]])),
    ...extraEnv,
  };
  delete common.DATABASE_URL;

  const subgraphs: Record<string, RunningSubgraph> = {};
  let router: ManagedProcess | undefined;
  const extraRouters: ManagedProcess[] = [];
  // Every step runs even when one fails (then the failures are thrown): no process, schema or
  // folder outlives a test file. Every subgraph's schema is dropped, started or not (IF EXISTS).
  const stopTogether = (processes: ManagedProcess[]) => async () => {
    await Promise.all(processes.map((child) => stopProcess(child)));
  };
  const stop = () =>
    stopAll([
      stopTogether(extraRouters),
      stopTogether(router ? [router] : []),
      stopTogether(Object.values(subgraphs).map((s) => s.process)),
      ...schemas.map((schema) => () => dropTestSchema(schema)),
      () => rmSync(dataDir, { recursive: true, force: true }),
    ]);
  const start = async (name: string, again: Record<string, string> = {}) => {
    const databaseUrl = databaseUrlForSchema(schemaOf(name));
    const child = startProcess(
      name,
      join(root, 'subgraphs', name, 'src', 'server.ts'),
      { ...common, PORT: String(ports[name]), [subgraphDatabaseUrlVariable(name)]: databaseUrl, ...again },
      quiet,
    );
    subgraphs[name] = { url: urls[name]!, process: child, databaseUrl };
    await waitUntilReady(child, `http://127.0.0.1:${ports[name]}/health/ready`);
  };
  try {
    // users first: the others verify tokens with its keys.
    await start('users');
    await Promise.all(subgraphCatalog.filter(({ name }) => name !== 'users').map(({ name }) => start(name)));
    router = startProcess(
      'router',
      join(root, 'router/src/server.ts'),
      { ...common, PORT: String(routerPort) },
      quiet,
    );
    await waitUntilReady(router, `http://127.0.0.1:${routerPort}/health/ready`);
  } catch (error) {
    await stop();
    throw error;
  }
  const routerUrl = `http://127.0.0.1:${routerPort}/graphql`;
  const users = subgraphs.users!;
  return {
    routerUrl,
    subgraphs,
    usersUrl: users.url,
    databaseUrl: users.databaseUrl,
    users: users.process,
    router,
    dataDir,
    gql: createGraphQLClient(routerUrl),
    addRouter: async (routerEnv = {}) => {
      const port = await freePort();
      const child = startProcess(
        'router',
        join(root, 'router/src/server.ts'),
        { ...common, ...routerEnv, PORT: String(port) },
        quiet,
      );
      extraRouters.push(child);
      await waitUntilReady(child, `http://127.0.0.1:${port}/health/ready`);
      return { url: `http://127.0.0.1:${port}/graphql`, process: child };
    },
    statements: async (name) => {
      const metrics = await (await fetch(new URL('/metrics', subgraphs[name]!.url))).text();
      const line = metrics.split('\n').find((l) => l.startsWith('flow_db_statements_total'));
      return Number(line?.split(' ').pop() ?? 'NaN');
    },
    stopSubgraph: async (name, signal = 'SIGTERM') => {
      const { process: child } = subgraphs[name]!;
      if (signal === 'SIGKILL') {
        child.child.kill('SIGKILL');
        await child.exited;
      } else await stopProcess(child);
    },
    startSubgraph: (name, again) => start(name, again),
    sql: (name, text, values) => queryTestSchema(schemaOf(name), text, values),
    stop,
  };
}
