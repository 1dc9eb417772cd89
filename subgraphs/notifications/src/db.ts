import { createPgAdapter, observeStatements, type SubgraphDatabase } from '@flow/platform';
import { PrismaClient } from './generated/prisma/client';

export type NotificationsPrisma = PrismaClient;

/**
 * A Prisma client on the notifications schema of the given database. Every statement is counted
 * in `flow_db_statements_total`; `onQuery` (tests) sees each one too.
 */
export function createNotificationsPrisma(
  database: SubgraphDatabase,
  onQuery?: (sql: string) => void,
): NotificationsPrisma {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database),
    log: [{ emit: 'event', level: 'query' }],
  });
  return observeStatements(prisma, onQuery);
}
