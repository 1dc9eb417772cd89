// `npm run admin:rebuild`: makes the statistics projections again from the audit log, against the
// admin database of the environment (ADMIN_DATABASE_URL or DATABASE_URL; migrated: the subgraph
// or `npm run migrate` does it).
import { createLogger } from '@flow/core';
import { createSubgraphPrisma, subgraphDatabase } from '@flow/subgraph-kit';
import { loadAdminConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { rebuildProjections } from './services/rebuild';

async function main() {
  const config = loadAdminConfig();
  const logger = createLogger('admin-rebuild', config.logLevel);
  const database = subgraphDatabase('admin', {
    databaseUrl: config.databaseUrl,
    ownUrl: config.ownDatabaseUrl,
  });
  const prisma = createSubgraphPrisma(PrismaClient, database);
  try {
    const [table] = await prisma.$queryRaw<
      { found: string | null }[]
    >`SELECT to_regclass('audit_events')::text AS found`;
    if (!table?.found)
      throw new Error(
        `no admin tables in schema "${database.schema}": start the admin subgraph or run npm run migrate first`,
      );
    const report = await rebuildProjections(prisma, logger);
    logger.info(report, 'admin projections rebuilt from the audit log');
    process.stdout.write(`rebuilt from ${report.events} events (${report.skipped} left out)\n`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`admin rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
