import { createPgAdapter, type SubgraphDatabase } from '@flow/platform';
import { PrismaClient } from './generated/prisma/client';

export type UsersPrisma = PrismaClient;

/** A Prisma client on the users schema of the given database; `onQuery` sees every SQL statement. */
export function createUsersPrisma(database: SubgraphDatabase, onQuery?: (sql: string) => void): UsersPrisma {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database),
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (onQuery)
    (prisma as unknown as { $on: (event: 'query', cb: (e: { query: string }) => void) => void }).$on(
      'query',
      (e) => onQuery(e.query),
    );
  return prisma;
}
