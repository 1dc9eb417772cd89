import { createPgAdapter, observeStatements, type SubgraphDatabase } from '@flow/platform';
import { PrismaClient } from './generated/prisma/client';

export type InventoryPrisma = PrismaClient;
/** The client inside an interactive transaction. */
export type InventoryTransaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * A Prisma client on the inventory schema of the given database. Every statement is counted in
 * `flow_db_statements_total`; `onQuery` (tests) sees each one too.
 */
export function createInventoryPrisma(
  database: SubgraphDatabase,
  onQuery?: (sql: string) => void,
): InventoryPrisma {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database),
    log: [{ emit: 'event', level: 'query' }],
    // Reservations of one popular product queue on its stock row: under a burst a transaction
    // may wait for a pooled connection longer than Prisma's 2 s default before it even starts.
    transactionOptions: { maxWait: 15_000, timeout: 15_000 },
  });
  return observeStatements(prisma, onQuery);
}
