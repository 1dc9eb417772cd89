// End-to-end test environment: the users subgraph and the router as real processes (as
// `npm start` runs them), on free ports, with their own Postgres schema and data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, subgraphDatabase } from '../packages/platform/src';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '../packages/platform/src/testing';
import { startProcess, stopProcess, waitUntilReady, type ManagedProcess } from '../scripts/lib/processes';

const root = join(__dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface PlatformTestEnvironment {
  routerUrl: string;
  usersUrl: string;
  dataDir: string;
  /** The users subgraph's database, with `?schema=` (Prisma's convention). */
  databaseUrl: string;
  gql: GraphQLClient;
  users: ManagedProcess;
  router: ManagedProcess;
  stop: () => Promise<void>;
}

export async function createTestEnvironment(
  extraEnv: Record<string, string> = {},
): Promise<PlatformTestEnvironment> {
  const schema = uniqueSchemaName('e2e');
  const databaseUrl = databaseUrlForSchema(schema);
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-e2e-'));
  const [usersPort, routerPort] = [await freePort(), await freePort()];
  const quiet = !process.env.E2E_VERBOSE;
  const common = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    FLOW_ENV: 'test',
    LOG_LEVEL: 'warn',
    FLOW_DATA_DIR: dataDir,
    // Lets the key-rotation test see a new kid at once instead of after jose's 30 s cooldown.
    JWKS_COOLDOWN_SECONDS: '0',
    // Every test signs in from 127.0.0.1; the throttle has tests of its own (router/test).
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    ...extraEnv,
  };
  const usersUrl = `http://127.0.0.1:${usersPort}/graphql`;
  const users = startProcess(
    'users',
    join(root, 'subgraphs/users/src/server.ts'),
    { ...common, PORT: String(usersPort), DATABASE_URL: databaseUrl, PASSWORD_SCRYPT_LOG2_COST: '14' },
    quiet,
  );
  const router = { current: undefined as ManagedProcess | undefined };
  const stop = async () => {
    if (router.current) await stopProcess(router.current);
    await stopProcess(users);
    const database = subgraphDatabase('users', { databaseUrl });
    await dropSchema(database.connectionString, database.schema);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(users, `http://127.0.0.1:${usersPort}/health/ready`);
    router.current = startProcess(
      'router',
      join(root, 'router/src/server.ts'),
      { ...common, PORT: String(routerPort), USERS_URL: usersUrl },
      quiet,
    );
    await waitUntilReady(router.current, `http://127.0.0.1:${routerPort}/health/ready`);
  } catch (error) {
    await stop();
    throw error;
  }
  const routerUrl = `http://127.0.0.1:${routerPort}/graphql`;
  return {
    routerUrl,
    usersUrl,
    dataDir,
    databaseUrl,
    gql: createGraphQLClient(routerUrl),
    users,
    router: router.current,
    stop,
  };
}
