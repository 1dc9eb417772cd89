/**
 * npm run migrate: applies every subgraph's migrations (prisma/<subgraph>/migrations) to its
 * database: <SUBGRAPH>_DATABASE_URL if set, else DATABASE_URL; schema from ?schema= or the
 * subgraph's name. The start supervisor calls migrateAll() itself before starting subgraphs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { subgraphDatabase, subgraphDatabaseUrlVariable, type SubgraphDatabase } from '@flow/subgraph-kit';
import { applyMigrations } from '@flow/subgraph-kit';
import { createLogger, type Logger } from '@flow/core';

export const PRISMA_DIR = resolve(__dirname, '..', 'prisma');

export interface SubgraphMigrations {
  subgraph: string;
  schema: string;
  applied: string[];
}

/** Every subgraph with a prisma/<name>/schema.prisma, in name order. */
export function prismaSubgraphs(prismaDir = PRISMA_DIR): string[] {
  return readdirSync(prismaDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(prismaDir, entry.name, 'schema.prisma')))
    .map((entry) => entry.name)
    .sort();
}

export async function migrateAll(options: {
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  prismaDir?: string;
}): Promise<SubgraphMigrations[]> {
  const { env = process.env, logger, prismaDir = PRISMA_DIR } = options;
  const subgraphs = prismaSubgraphs(prismaDir).map((subgraph) => ({
    subgraph,
    database: subgraphDatabase(subgraph, {
      databaseUrl: options.databaseUrl,
      ownUrl: env[subgraphDatabaseUrlVariable(subgraph)],
    }),
  }));
  refuseSharedSchemas(subgraphs);
  const results: SubgraphMigrations[] = [];
  // One after another: they share Prisma's database-wide lock anyway.
  for (const { subgraph, database } of subgraphs) {
    const migrationsDir = join(prismaDir, subgraph, 'migrations');
    if (!existsSync(migrationsDir)) {
      logger?.warn(
        { subgraph },
        `prisma/${subgraph} has no migrations yet: npm run migration:new -- ${subgraph} init`,
      );
    }
    const { schema, applied } = await applyMigrations({
      ...database,
      migrationsDir,
      logger: logger?.child({ subgraph }),
    });
    logger?.info(
      { subgraph, schema, applied },
      applied.length > 0
        ? `${subgraph}: applied ${applied.length} migration(s) to schema "${schema}"`
        : `${subgraph}: schema "${schema}" is up to date`,
    );
    results.push({ subgraph, schema, applied });
  }
  return results;
}

/**
 * A `?schema=` on the shared DATABASE_URL would put every subgraph in one schema, where their
 * migration histories would collide (each would see the other's as unknown migrations).
 */
function refuseSharedSchemas(subgraphs: { subgraph: string; database: SubgraphDatabase }[]): void {
  const owners = new Map<string, string>();
  for (const { subgraph, database } of subgraphs) {
    const key = `${database.connectionString} ${database.schema}`;
    const other = owners.get(key);
    if (other) {
      throw new Error(
        `subgraphs ${other} and ${subgraph} would share schema "${database.schema}" in one database; ` +
          `drop ?schema= from DATABASE_URL or give one of them ${subgraphDatabaseUrlVariable(subgraph)}`,
      );
    }
    owners.set(key, subgraph);
  }
}

if (require.main === module) {
  const logger = createLogger('migrate');
  migrateAll({ databaseUrl: process.env.DATABASE_URL || undefined, logger }).catch((error: unknown) => {
    logger.error({ err: error }, error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
