import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import { seedStandardProducts } from './catalog/seed';
import type { Context } from './context';
import { inventoryTransactionOptions } from './db';
import type { InventoryConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createInventoryServices } from './services';
import type { SiteLookup } from './services/depot-directory';
import { buildInventorySchema } from './subgraph';

/** `publisher`: where stock changes are announced for the router's stockLevelChanged (tests record them). */
export interface InventoryAppOptions extends SubgraphStartOptions {
  /** Replaces the locations subgraph as the source of depot ownership (tests). */
  sites?: SiteLookup;
}

/** The inventory subgraph: it seeds the standard catalog, sweeps expired holds, publishes its outbox. */
export const startInventoryApp = defineSubgraph({
  name: 'inventory',
  PrismaClient,
  transactionOptions: inventoryTransactionOptions,
  schema: buildInventorySchema,
  outbox: true,
  wire: async (
    { prisma, live },
    { config, logger, options }: SubgraphStart<InventoryConfig, InventoryAppOptions>,
  ) => {
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
    const sweepEveryMs = config.sweep.intervalSeconds * 1000;
    return {
      context: (base): Context => ({ ...base, services, loaders: createLoaders(prisma) }),
      jobs: [{ name: 'reservation expiry sweep', everyMs: sweepEveryMs, run: services.expireReservations }],
      expose: { services, prisma },
    };
  },
});

export type InventoryApp = Awaited<ReturnType<typeof startInventoryApp>>;
