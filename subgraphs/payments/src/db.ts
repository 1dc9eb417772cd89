import { createPgAdapter, observeStatements, type SubgraphDatabase } from '@flow/platform';
import { PrismaClient } from './generated/prisma/client';

export type PaymentsPrisma = PrismaClient;

/**
 * A Prisma client on the payments schema of the given database. Every statement is counted in
 * `flow_db_statements_total`; `onQuery` (tests) sees each one too.
 */
export function createPaymentsPrisma(
  database: SubgraphDatabase,
  onQuery?: (sql: string) => void,
): PaymentsPrisma {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database),
    log: [{ emit: 'event', level: 'query' }],
  });
  return observeStatements(prisma, onQuery);
}
