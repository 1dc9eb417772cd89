import { startSubgraph, subgraphMigrationsDir, type Logger, type RunningSubgraph } from '@flow/platform';
import { seedStandardProducts } from './catalog/seed';
import { inventoryTransactionOptions, type InventoryPrisma } from './db';
import type { InventoryConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createInventoryServices, type InventoryServices } from './services';
import type { SiteLookup } from './services/depot-directory';
import type { LivePublisher } from './services/stock-notifier';
import { buildInventorySchema } from './subgraph';

export const migrationsDir = subgraphMigrationsDir('inventory');

export interface InventoryApp extends RunningSubgraph {
  services: InventoryServices;
  prisma: InventoryPrisma;
}

export interface InventoryAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /** Replaces the locations subgraph as the source of depot ownership (tests). */
  sites?: SiteLookup;
  /**
   * Where stock changes are announced for the router's stockLevelChanged (tests record them);
   * by default the platform channel: Redis when REDIS_URL is set, else in-process on /events.
   */
  publisher?: LivePublisher | null;
}

/** The inventory subgraph: it seeds the standard catalog, sweeps expired holds, publishes its outbox. */
export function startInventoryApp(
  config: InventoryConfig,
  logger: Logger,
  options: InventoryAppOptions = {},
): Promise<InventoryApp> {
  return startSubgraph({
    name: 'inventory',
    config,
    logger,
    options,
    PrismaClient,
    transactionOptions: inventoryTransactionOptions,
    schema: buildInventorySchema,
    outbox: true,
    wire: async ({ prisma, live }) => {
      await seedStandardProducts(prisma, logger);
      const services = createInventoryServices({
        prisma,
        logger,
        sites: options.sites,
        locations: {
          url: config.subgraphUrls.locations!,
          secret: config.routerSecret,
          timeoutMs: config.dependencyTimeoutMs,
        },
        sweepBatchSize: config.sweep.batchSize,
        publisher: live,
      });
      return {
        context: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
        jobs: [
          {
            name: 'reservation expiry sweep',
            everyMs: config.sweep.intervalSeconds * 1000,
            run: services.expireReservations,
          },
        ],
        expose: { services, prisma },
      };
    },
  });
}
