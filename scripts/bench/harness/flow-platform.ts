// Flow as production runs it, for the benchmark: every subgraph and the router compiled (dist/),
// FLOW_ENV and NODE_ENV production with generated secrets and signing keys, the memory settings of
// `npm start` (scripts/lib/node-settings.ts), each subgraph in a Postgres schema of its own in the local
// database `test` (dropped at the end), Redis for the router's rate-limit counters. Loopback only.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { subgraphCatalog, subgraphUrlVariable } from '@flow/core';
import { dropSchema, subgraphDatabase, subgraphDatabaseUrlVariable } from '@flow/subgraph-kit';
import { databaseUrlForSchema, uniqueSchemaName } from '@flow/testing';
import { createSigningKey } from '@flow/users';
import { freePort } from '../../../test/environment';
import { BENCH_LIMITS } from '../measure';
import {
  LEAN_MALLOC_ENV,
  LEAN_NODE_OPTIONS,
  ROUTER_NODE_ARGS,
  subgraphNodeArgs,
} from '../../lib/node-settings';
import { startTracked, waitForUrl, type Tracked } from './processes';

const root = join(__dirname, '..', '..', '..');

/**
 * The memory settings of `npm start`'s environment (and the Docker image's): every benchmarked Node
 * process gets them, the stock gateways too. Flow's router also gets the flags it ships with.
 */
export const LEAN_NODE_ENV = { ...LEAN_MALLOC_ENV, NODE_OPTIONS: LEAN_NODE_OPTIONS };

export interface FlowPlatform {
  routerUrl: string;
  router: Tracked;
  /** Every subgraph's schema is `<schemaPrefix>_<subgraph>`. */
  schemaPrefix: string;
  subgraphs: Record<string, { url: string; process: Tracked; databaseUrl: string }>;
  /** The environment every Flow process got (secrets included): for more routers. */
  env: NodeJS.ProcessEnv;
  secret: string;
  admin: { email: string; password: string };
  /**
   * Starts one more router (compiled, production) with extra variables; stopped with the rest.
   * `nodeArgs`: Node flags after the ones it ships with; `script`: another build's server.js (a
   * baseline copy of router/dist), compared side by side.
   */
  addRouter: (
    name: string,
    extraEnv: Record<string, string>,
    launch?: { nodeArgs?: string[]; script?: string },
  ) => Promise<{ url: string; process: Tracked }>;
  /** SQL statements a subgraph has sent (its flow_db_statements_total). */
  statements: (subgraph: string) => Promise<number>;
  /** GraphQL requests a subgraph has answered (its flow_http_request_duration_seconds_count on /graphql). */
  calls: (subgraph: string) => Promise<number>;
  sql: <Row = Record<string, unknown>>(subgraph: string, text: string, values?: unknown[]) => Promise<Row[]>;
  dropSchemas: () => Promise<void>;
}

/** Rate limits raised for the benchmark (one user drives the load of many): README "Performance". */
export const RAISED_LIMITS: Record<string, string> = {
  ...BENCH_LIMITS,
  MAX_SUBSCRIPTION_DOCUMENTS_PER_USER: '100000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
};

async function metricsOf(url: string): Promise<string> {
  return (await fetch(new URL('/metrics', url))).text();
}

function sumOf(text: string, name: string, filter: (line: string) => boolean = () => true): number {
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && filter(line))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

export async function startFlowPlatform(extraEnv: Record<string, string> = {}): Promise<FlowPlatform> {
  const prefix = uniqueSchemaName('bench');
  const secret = randomBytes(32).toString('base64url');
  const admin = { email: 'bench.admin@example.org', password: randomBytes(18).toString('base64url') };
  const key = await createSigningKey(new Date(Date.now() - 60_000));
  const ports = Object.fromEntries(
    await Promise.all(subgraphCatalog.map(async ({ name }) => [name, await freePort()] as const)),
  );
  const urls = Object.fromEntries(
    subgraphCatalog.map(({ name }) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...LEAN_NODE_ENV,
    NODE_ENV: 'production',
    FLOW_ENV: 'production',
    APOLLO_TELEMETRY_DISABLED: '1',
    CHECKPOINT_DISABLE: '1',
    LOG_LEVEL: 'error',
    INTERNAL_SIGNING_SECRET: secret,
    JWT_SIGNING_KEYS: JSON.stringify({ keys: [key] }),
    FLOW_ADMIN_EMAIL: admin.email,
    FLOW_ADMIN_PASSWORD: admin.password,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `${prefix}:`,
    // Background recovery would add statements to the counts (as in the end-to-end tests).
    RECOVERY_INTERVAL_MS: '3600000',
    ...RAISED_LIMITS,
    ...Object.fromEntries(subgraphCatalog.map(({ name }) => [subgraphUrlVariable(name), urls[name]])),
    ...extraEnv,
  };
  const subgraphs: FlowPlatform['subgraphs'] = {};
  const start = async (name: string) => {
    const databaseUrl = databaseUrlForSchema(`${prefix}_${name}`);
    // The deployment's flags; BENCH_SUBGRAPH_NODE_ARGS (space-separated, may be empty) to compare others.
    const nodeArgs = process.env.BENCH_SUBGRAPH_NODE_ARGS?.split(' ').filter(Boolean) ?? [
      ...subgraphNodeArgs(name),
    ];
    const child = startTracked(name, [...nodeArgs, join(root, 'subgraphs', name, 'dist', 'server.js')], {
      ...env,
      PORT: String(ports[name]),
      [subgraphDatabaseUrlVariable(name)]: databaseUrl,
    });
    subgraphs[name] = { url: urls[name]!, process: child, databaseUrl };
    await waitForUrl(child, `http://127.0.0.1:${ports[name]}/health/ready`);
  };
  const addRouter = async (
    name: string,
    routerEnv: Record<string, string>,
    {
      nodeArgs = [],
      script = join(root, 'router', 'dist', 'server.js'),
    }: { nodeArgs?: string[]; script?: string } = {},
  ) => {
    const port = await freePort();
    // With the flags it ships with (scripts/lib/node-settings.ts), as npm start and the Dockerfile.
    const child = startTracked(name, [...ROUTER_NODE_ARGS, ...nodeArgs, script], {
      ...env,
      ...routerEnv,
      PORT: String(port),
    });
    await waitForUrl(child, `http://127.0.0.1:${port}/health/live`);
    return { url: `http://127.0.0.1:${port}/graphql`, process: child };
  };
  const dropSchemas = async () => {
    for (const { databaseUrl } of Object.values(subgraphs)) {
      const database = subgraphDatabase('any', { databaseUrl });
      await dropSchema(database.connectionString, database.schema);
    }
  };
  const platform: FlowPlatform = {
    routerUrl: '',
    schemaPrefix: prefix,
    router: undefined as unknown as Tracked,
    subgraphs,
    env,
    secret,
    admin,
    addRouter,
    dropSchemas,
    statements: async (name) => sumOf(await metricsOf(subgraphs[name]!.url), 'flow_db_statements_total'),
    calls: async (name) =>
      sumOf(await metricsOf(subgraphs[name]!.url), 'flow_http_request_duration_seconds_count', (line) =>
        line.includes('route="/graphql"'),
      ),
    sql: async <Row>(name: string, text: string, values: unknown[] = []) => {
      const { connectionString, schema } = subgraphDatabase(name, {
        databaseUrl: subgraphs[name]!.databaseUrl,
      });
      const client = new pg.Client({ connectionString, options: `-c search_path="${schema}"` });
      await client.connect();
      try {
        return (await client.query(text, values)).rows as Row[];
      } finally {
        await client.end();
      }
    },
  };
  // The caller drops the schemas in its own finally block, also when this start fails half-way.
  pendingPlatform = platform;
  await start('users');
  await Promise.all(subgraphCatalog.filter(({ name }) => name !== 'users').map(({ name }) => start(name)));
  const router = await addRouter('router', {});
  await waitForUrl(router.process, new URL('/health/ready', router.url).toString());
  platform.routerUrl = router.url;
  platform.router = router.process;
  return platform;
}

/** The platform being started or running, so that teardown can drop its schemas after a failure. */
export let pendingPlatform: FlowPlatform | undefined;
