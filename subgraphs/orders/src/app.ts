import { startSubgraph, subgraphMigrationsDir, type Logger, type RunningSubgraph } from '@flow/platform';
import type { OrdersPrisma } from './db';
import { placementWorstCaseMs, type OrdersConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createOrdersServices, type OrdersServices } from './services';
import { RemoteDependencies, type OrdersDependencies } from './services/dependencies';
import { buildOrdersSchema } from './subgraph';

export const migrationsDir = subgraphMigrationsDir('orders');

export interface OrdersApp extends RunningSubgraph {
  services: OrdersServices;
  /** The app's own database client (tests look into its tables). */
  prisma: OrdersPrisma;
}

export interface OrdersAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /** The other subgraphs; over HTTP by default. */
  dependencies?: OrdersDependencies;
}

/** The orders subgraph: it places orders through the others, recovers interrupted ones on a timer, publishes its outbox. */
export function startOrdersApp(
  config: OrdersConfig,
  logger: Logger,
  options: OrdersAppOptions = {},
): Promise<OrdersApp> {
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
  return startSubgraph({
    name: 'orders',
    config,
    logger,
    options,
    PrismaClient,
    schema: buildOrdersSchema,
    outbox: true,
    wire: ({ prisma, live }) => {
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
        context: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
        jobs: [{ name: 'orders recovery', everyMs: config.recoveryIntervalMs, run: recover }],
        expose: { services, prisma },
      };
    },
  });
}
