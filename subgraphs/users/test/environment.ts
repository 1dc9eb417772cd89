import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, dropSchema, subgraphDatabase } from '@flow/platform';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/platform/src/testing';
import { startUsersApp, type UsersApp, type UsersAppOptions } from '../src/app';
import { DEVELOPMENT_ADMIN } from '../src/bootstrap';
import { parseUsersEnvironment, type UsersEnvironment } from '../src/env';

export interface UsersTestEnvironment {
  app: UsersApp;
  env: UsersEnvironment;
  gql: GraphQLClient;
  admin: { email: string; password: string };
  stop: () => Promise<void>;
}

/** The users subgraph on a port of its own, in a Postgres schema of its own, dropped at stop. */
export async function createTestEnvironment(
  overrides: Record<string, string> = {},
  options: UsersAppOptions = {},
): Promise<UsersTestEnvironment> {
  const schema = uniqueSchemaName('users_test');
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-users-'));
  const env = parseUsersEnvironment({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(schema),
    FLOW_DATA_DIR: dataDir,
    PASSWORD_SCRYPT_LOG2_COST: '14',
    ...overrides,
  });
  const app = await startUsersApp(env, createLogger('users', env.LOG_LEVEL), options);
  return {
    app,
    env,
    gql: createGraphQLClient(app.url),
    admin: DEVELOPMENT_ADMIN,
    stop: async () => {
      await app.stop();
      const database = subgraphDatabase('users', { databaseUrl: env.DATABASE_URL });
      await dropSchema(database.connectionString, database.schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
