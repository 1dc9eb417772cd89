import { join } from 'node:path';
import {
  createPubSub,
  createRemoteTokenVerifier,
  subgraphSuspendedOrganizations,
  createSubgraphEventBus,
  startOutboxRelay,
  startSubgraphServer,
  openSubgraphDatabase,
  type Logger,
  type OutboxRelay,
  type RunningSubgraph,
} from '@flow/platform';
import type { Context } from './context';
import { createOrdersPrisma, type OrdersPrisma } from './db';
import { placementWorstCaseMs, type OrdersConfig } from './env';
import { createLoaders } from './loaders';
import { createOrdersServices, type OrdersServices } from './services';
import { RemoteDependencies } from './clients';
import type { OrdersDependencies } from './services/dependencies';
import { buildOrdersSchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'orders', 'migrations');

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

/** Starts the orders subgraph: migrate, serve, run the recovery job on an interval, publish the outbox. */
export async function startOrdersApp(
  config: OrdersConfig,
  logger: Logger,
  options: OrdersAppOptions = {},
): Promise<OrdersApp> {
  const database = await openSubgraphDatabase('orders', config, migrationsDir, logger);
  const prisma = createOrdersPrisma(database, options.onQuery);
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
  const events = createPubSub({
    redisUrl: config.redis?.url,
    prefix: `${config.redis?.keyPrefix ?? 'flow:'}events:`,
    logger: logger.child({ component: 'pubsub' }),
  });
  const bus = createSubgraphEventBus('orders', config, logger);
  let relay: OutboxRelay | null = null;
  const services = createOrdersServices({
    // Every live update follows a commit that wrote outbox rows: the relay publishes them at once.
    publisher: {
      publish: async (topic, message) => {
        relay?.wake();
        await events.publish(topic, message);
      },
    },
    prisma,
    dependencies,
    logger,
    stockHoldSeconds: config.stockHoldSeconds,
    placementGraceSeconds: config.placementGraceSeconds,
    placementWaitMs: placementWorstCaseMs(config),
  });

  let running: Promise<unknown> | null = null;
  const recover = async () => {
    try {
      const report = await services.recovery.runOnce();
      if (Object.values(report).some((n) => n > 0)) logger.info({ ...report }, 'orders recovery run');
      await services.keys.deleteOlderThan(config.idempotencyKeyTtlHours);
    } catch (error) {
      logger.warn({ err: error }, 'orders recovery failed; will retry');
    }
  };
  const timer = setInterval(() => {
    // One run at a time: a slow dependency must not pile runs up.
    running ??= recover().finally(() => (running = null));
  }, config.recoveryIntervalMs);
  timer.unref();

  const server = await startSubgraphServer<Context>({
    name: 'orders',
    schema: buildOrdersSchema(),
    logger,
    port: config.port,
    host: config.host,
    production: config.production,
    routerSecret: config.routerSecret,
    http: config.http,
    maxDeadlineMs: config.maxDeadlineMs,
    verifyToken: createRemoteTokenVerifier(config.jwt),
    suspensions: subgraphSuspendedOrganizations(config, logger),
    buildContext: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
    readiness: { database: () => prisma.$queryRaw`SELECT 1` },
    degradable: { broker: () => bus.check() },
    events,
    close: async () => {
      clearInterval(timer);
      await running;
      await relay?.stop();
      await bus.close();
      await events.close();
      await prisma.$disconnect();
    },
  });
  relay = startOutboxRelay({
    source: 'orders',
    database,
    publisher: bus.publisher,
    logger,
    intervalMs: config.events.outboxIntervalMs,
  });
  return { ...server, services, prisma };
}
