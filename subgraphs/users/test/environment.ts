import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, subgraphCatalog, subgraphUrlVariable } from '@flow/core';
import { dropSchema, subgraphDatabase } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/testing';
import { startUsersApp, type UsersApp, type UsersAppOptions } from '../src/app';
import { DEVELOPMENT_ADMIN } from '../src/bootstrap';
import { parseUsersEnvironment, type UsersEnvironment } from '../src/env';

export interface UsersTestEnvironment {
  app: UsersApp;
  env: UsersEnvironment;
  gql: GraphQLClient;
  admin: { email: string; password: string };
  sql: <Row>(text: string, values?: unknown[]) => Promise<Row[]>;
  stop: () => Promise<void>;
}

/**
 * Without a broker, events are pushed to the consumers' URLs: a closed port here, so that a test
 * never feeds a platform running on this machine (organization-events.test.ts uses RabbitMQ).
 */
const NOWHERE = Object.fromEntries(
  subgraphCatalog
    .filter((s) => s.consumes?.length)
    .map((s) => [subgraphUrlVariable(s.name), 'http://127.0.0.1:9/graphql']),
);

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
    ...NOWHERE,
    ...overrides,
  });
  const app = await startUsersApp(env, createLogger('users', env.LOG_LEVEL), options);
  return {
    app,
    env,
    gql: createGraphQLClient(app.url),
    admin: DEVELOPMENT_ADMIN,
    sql: async <Row>(text: string, values: unknown[] = []) =>
      (await app.prisma.$queryRawUnsafe(text, ...values)) as Row[],
    stop: async () => {
      await app.stop();
      const database = subgraphDatabase('users', { databaseUrl: env.DATABASE_URL });
      await dropSchema(database.connectionString, database.schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
