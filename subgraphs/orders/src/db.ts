import { createPgAdapter, observeStatements, type SubgraphDatabase } from '@flow/platform';
import { PrismaClient } from './generated/prisma/client';

export type OrdersPrisma = PrismaClient;

/**
 * A Prisma client on the orders schema of the given database. Every statement is counted in
 * `flow_db_statements_total`; `onQuery` (tests) sees each one too.
 */
export function createOrdersPrisma(
  database: SubgraphDatabase,
  onQuery?: (sql: string) => void,
): OrdersPrisma {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database),
    log: [{ emit: 'event', level: 'query' }],
  });
  return observeStatements(prisma, onQuery);
}
export type OrdersTransaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
