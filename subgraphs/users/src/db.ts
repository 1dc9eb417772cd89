import { createPgAdapter, observeStatements, type SubgraphDatabase } from '@flow/platform';
import { PrismaClient } from './generated/prisma/client';

export type UsersPrisma = PrismaClient;
export type UsersTransaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * A Prisma client on the users schema of the given database. Every statement is counted in
 * `flow_db_statements_total`; `onQuery` (tests) sees each one too.
 */
export function createUsersPrisma(database: SubgraphDatabase, onQuery?: (sql: string) => void): UsersPrisma {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database),
    log: [{ emit: 'event', level: 'query' }],
  });
  return observeStatements(prisma, onQuery);
}
