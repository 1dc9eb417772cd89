// One subgraph as its tests run it: the start function its process uses (the one defineSubgraph
// made), on a free port, in a Postgres schema of the test file's own, migrated by that start and
// dropped at stop, with access tokens from a stand-in for users and a counter of its statements.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createLogger, type Logger, type OrganizationKind, type Role } from '@flow/core';
import {
  createGraphQLClient,
  createSignedClient,
  databaseUrlForSchema,
  type GraphQLClient,
  startTestTokenIssuer,
  TEST_DATABASE_URL,
  type TestTokenIssuer,
  type TestViewer,
  uniqueSchemaName,
} from './testing';

/** The router signing secret every test environment configures (signed clients use it). */
export const TEST_ROUTER_SECRET = 'a-test-router-signing-secret-of-enough-length';

/** What a subgraph's start function resolves to (the kit's RunningSubgraph and what it exposes). */
export interface StartedSubgraph {
  url: string;
  stop: () => Promise<void>;
}

/** A signed-in user: who the token speaks for, and the token. */
export interface TestActor extends TestViewer {
  token: string;
}

/** The options every subgraph's start function takes (the kit's SubgraphStartOptions). */
export interface StartOptionsBase {
  onQuery?: (sql: string) => void;
}

export interface SubgraphTestEnvironmentOptions<
  Config,
  StartOptions extends StartOptionsBase,
  App extends StartedSubgraph,
> {
  /** The catalog name; the schema is named after it. */
  name: string;
  /** The subgraph's start function (`startOrdersApp`): the process's own wiring. */
  start: (config: Config, logger: Logger, options?: StartOptions) => Promise<App>;
  /** The subgraph's configuration parser (`parseOrdersConfig`), given test defaults plus `env`. */
  parseConfig: (env: Record<string, string>) => Config;
  /** Variables over the test defaults (a dependency's URL, a job's interval, FLOW_ENV...). */
  env?: Record<string, string>;
  /**
   * The start function's options: stand-ins and fault-injecting collaborators (`dependencies`,
   * `provider`, `geocoder`, `publisher`...). An onQuery here sees the statements too.
   */
  options?: NoInfer<StartOptions>;
  /** Default: a silent logger (pass capturingLogger's to read what the subgraph logs). */
  logger?: Logger;
  /** Another environment's issuer, so that two subgraphs trust one set of tokens (not stopped here). */
  tokens?: TestTokenIssuer;
}

export interface SubgraphTestEnvironment<Config, App extends StartedSubgraph> {
  app: App;
  config: Config;
  /** The Postgres schema of this environment, dropped at stop. */
  schema: string;
  databaseUrl: string;
  tokens: TestTokenIssuer;
  /** Unsigned GraphQL to the subgraph (FLOW_ENV=test accepts it; production does not). */
  gql: GraphQLClient;
  /** Signed as the router does, or, given `service`, as that subgraph calling as itself. */
  signed: (service?: string) => GraphQLClient;
  /** An access token for `viewer`. */
  as: (viewer: TestViewer) => Promise<string>;
  /** A signed-in user with `role`, of a new organization or the given one. */
  actor: (role: Role, organizationId?: string) => Promise<TestActor>;
  /** Every SQL statement the subgraph sent, in order; a test empties it to count one operation's. */
  statements: string[];
  /** A statement on the subgraph's schema, behind its back (not counted in `statements`). */
  sql: <Row = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<Row[]>;
  /** A connection of its own on the subgraph's schema (transactions, locks); the test ends it. */
  connect: () => Promise<pg.Client>;
  /** More to close at stop, before what the environment opened (last registered, first closed). */
  onStop: (close: () => Promise<void> | void) => void;
  /** Stops the subgraph (server, jobs, relay, bus, Prisma), the issuer, drops the schema. */
  stop: () => Promise<void>;
}

const kindOf = (role: Role): OrganizationKind =>
  role.startsWith('HOSPITAL') ? 'HOSPITAL' : role === 'PLATFORM_ADMIN' ? 'PLATFORM' : 'VENDOR';

/**
 * Starts one subgraph for a test file (call it in beforeAll, `stop` in afterAll). If the start
 * fails, whatever was already opened is closed before the error is thrown.
 */
export async function startSubgraphTestEnvironment<
  Config,
  StartOptions extends StartOptionsBase,
  App extends StartedSubgraph,
>(
  setup: SubgraphTestEnvironmentOptions<Config, StartOptions, App>,
): Promise<SubgraphTestEnvironment<Config, App>> {
  const closers: (() => Promise<void> | void)[] = [];
  const stop = () => stopAll(closers.splice(0).reverse());
  try {
    const schema = uniqueSchemaName(`${setup.name}_test`);
    const databaseUrl = databaseUrlForSchema(schema);
    // The schema may exist as soon as the start begins migrating: dropped even if the start fails.
    closers.push(() => dropTestSchema(schema));
    const tokens = setup.tokens ?? (await startTestTokenIssuer());
    if (!setup.tokens) closers.push(() => tokens.stop());
    const env: Record<string, string> = {
      FLOW_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      USERS_JWKS_URL: tokens.jwksUrl,
      USERS_URL: tokens.usersUrl,
      JWKS_COOLDOWN_SECONDS: '0',
      ROUTER_SIGNING_SECRET: TEST_ROUTER_SECRET,
      ...setup.env,
    };
    const config = setup.parseConfig(env);
    const statements: string[] = [];
    const onQuery = (sql: string) => {
      statements.push(sql);
      setup.options?.onQuery?.(sql);
    };
    const options = { ...setup.options, onQuery } as StartOptions;
    const app = await setup.start(config, setup.logger ?? createLogger(setup.name, 'silent'), options);
    closers.push(() => app.stop());
    return {
      app,
      config,
      schema,
      databaseUrl,
      tokens,
      gql: createGraphQLClient(app.url),
      signed: (service) => createSignedClient(app.url, env.ROUTER_SIGNING_SECRET!, service),
      as: (viewer) => tokens.sign(viewer),
      actor: async (role, organizationId = randomUUID()) => {
        const viewer = { userId: randomUUID(), organizationId, organizationKind: kindOf(role), role };
        return { ...viewer, token: await tokens.sign(viewer) };
      },
      statements,
      sql: (text, values) => queryTestSchema(schema, text, values),
      connect: () => connectToTestSchema(schema),
      onStop: (close) => closers.push(close),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs every closer in order even when one fails (a failed test must not leave a port or schema
 * behind), then throws what failed.
 */
export async function stopAll(closers: (() => Promise<void> | void)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length) throw new AggregateError(failures, 'the test environment did not stop cleanly');
}

/** A connection of its own to the test database, on `schema` (search_path); the caller ends it. */
export async function connectToTestSchema(schema: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    options: `-c search_path="${schema.replaceAll('"', '""')}"`,
  });
  await client.connect();
  return client;
}

/** One statement on a schema of the test database, on a connection of its own. */
export async function queryTestSchema<Row = Record<string, unknown>>(
  schema: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = await connectToTestSchema(schema);
  try {
    return (await client.query(text, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Drops a schema of the test database with everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}
