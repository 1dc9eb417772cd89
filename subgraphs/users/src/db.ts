import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type UsersPrisma = PrismaClient;

const SAFE_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A Prisma client on the users schema of the given database. Prisma qualifies its own queries
 * with the schema; search_path makes the few raw statements land there too.
 */
export function createUsersPrisma(connection: { connectionString: string; schema: string }): UsersPrisma {
  if (!SAFE_SCHEMA.test(connection.schema)) throw new Error(`unsafe schema name ${connection.schema}`);
  const adapter = new PrismaPg(
    { connectionString: connection.connectionString, max: 10, options: `-c search_path=${connection.schema}` },
    { schema: connection.schema },
  );
  return new PrismaClient({ adapter });
}
