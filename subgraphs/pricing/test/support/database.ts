import { randomUUID } from 'node:crypto';
import {
  applyMigrations,
  createSubgraphPrisma,
  subgraphDatabase,
  subgraphMigrationsDir,
} from '@flow/subgraph-kit';
import { createLogger, type Viewer } from '@flow/core';
import { databaseUrlForSchema, dropTestSchema, stopAll, uniqueSchemaName } from '@flow/testing';
import type { PricingPrisma } from '../../src/db';
import { PrismaClient } from '../../src/generated/prisma/client';
import { createLoaders } from '../../src/loaders';
import type { ServiceContext } from '../../src/services/context';

const migrationsDir = subgraphMigrationsDir('pricing');

export interface TestDatabase {
  prisma: PricingPrisma;
  /** Every SQL statement sent so far; tests clear it to count one operation's. */
  statements: string[];
  stop: () => Promise<void>;
}

/**
 * The pricing tables, migrated, in a Postgres schema of this test file's own, dropped at stop (and
 * when the migration fails halfway).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const schema = uniqueSchemaName('pricing_services_test');
  const database = subgraphDatabase('pricing', { databaseUrl: databaseUrlForSchema(schema) });
  await applyMigrations({ ...database, migrationsDir }).catch(async (error: unknown) => {
    await dropTestSchema(schema);
    throw error;
  });
  const statements: string[] = [];
  const prisma = createSubgraphPrisma(PrismaClient, database, { onQuery: (sql) => statements.push(sql) });
  return {
    prisma,
    statements,
    stop: () => stopAll([() => prisma.$disconnect(), () => dropTestSchema(schema)]),
  };
}

export const silentLogger = createLogger('pricing-test', 'silent');

/** A viewer as a verified token would give it. */
export function viewer(
  role: Viewer['role'],
  organizationKind: Viewer['organizationKind'],
  organizationId: string = randomUUID(),
): Viewer {
  return {
    userId: randomUUID(),
    organizationId,
    organizationKind,
    role,
    scopes: [`role:${role}`],
    tokenId: undefined,
  };
}

/** A request context for calling services directly, with fresh loaders like a request gets. */
export function contextFor(prisma: PricingPrisma, who: Viewer | null): ServiceContext {
  return {
    requestId: `test-${randomUUID()}`,
    callerService: null,
    viewer: who,
    // A direct service call: no caller deadline.
    signal: new AbortController().signal,
    deadline: Number.MAX_SAFE_INTEGER,
    authorization: who ? 'Bearer test' : null,
    logger: silentLogger,
    clientAddress: null,
    loaders: createLoaders(prisma),
  };
}
