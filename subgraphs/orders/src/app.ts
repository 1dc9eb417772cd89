import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import { placementWorstCaseMs, type OrdersConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createOrdersServices } from './services';
import { RemoteDependencies } from './clients';
import type { OrdersDependencies } from './services/dependencies';
import { buildOrdersSchema } from './subgraph';

export interface OrdersAppOptions extends SubgraphStartOptions {
  /** The other subgraphs; over HTTP by default. */
  dependencies?: OrdersDependencies;
}

/** The orders subgraph: it places orders through the others, recovers interrupted ones on a timer, publishes its outbox. */
export const startOrdersApp = defineSubgraph({
  name: 'orders',
  PrismaClient,
  schema: buildOrdersSchema,
  outbox: true,
  wire: ({ prisma, live }, { config, logger, options }: SubgraphStart<OrdersConfig, OrdersAppOptions>) => {
    const dependencies =
      options.dependencies ??
      new RemoteDependencies({
        urls: {
          users: config.subgraphUrls.users!,
          locations: config.subgraphUrls.locations!,
          pricing: config.subgraphUrls.pricing!,
          inventory: config.subgraphUrls.inventory!,
          payments: config.subgraphUrls.payments!,
        },
        secret: config.routerSecret,
        logger,
        timeoutMs: config.dependencyTimeoutMs,
        paymentsTimeoutMs: config.paymentsTimeoutMs,
      });
    const services = createOrdersServices({
      publisher: live,
      prisma,
      dependencies,
      logger,
      stockHoldSeconds: config.stockHoldSeconds,
      placementGraceSeconds: config.placementGraceSeconds,
      placementWaitMs: placementWorstCaseMs(config),
    });
    const recover = async () => {
      const report = await services.recovery.runOnce();
      if (Object.values(report).some((n) => n > 0)) logger.info({ ...report }, 'orders recovery run');
      await services.keys.deleteOlderThan(config.idempotencyKeyTtlHours);
    };
    return {
      context: (base): Context => ({
        ...base,
        services,
        loaders: createLoaders(prisma, {
          products: (ids) => dependencies.products(base, ids),
          organizationNames: (ids) => dependencies.organizationNames(base, ids),
          siteNames: (ids) => dependencies.siteNames(base, ids),
        }),
      }),
      jobs: [
        { name: 'orders recovery', everyMs: config.recoveryIntervalMs, run: recover },
        // No timed product backfill: its calls to inventory shared the placement's circuit breaker
        // (test/order-recovery.test.ts saw SERVICE_UNAVAILABLE) and its statements the benchmark's
        // counts. An older line is filled when first shown (recordProducts), or by
        // services.productBackfill.runOnce().
      ],
      // `prisma`: tests look into its tables.
      expose: { services, prisma },
    };
  },
});

export type OrdersApp = Awaited<ReturnType<typeof startOrdersApp>>;
