import { join } from 'node:path';
import {
  createRemoteTokenVerifier,
  subgraphSuspendedOrganizations,
  createSubgraphEventBus,
  startOutboxRelay,
  startSubgraphServer,
  createPubSub,
  openSubgraphDatabase,
  type Logger,
  type OutboxRelay,
  type RunningSubgraph,
} from '@flow/platform';
import { seedStandardProducts } from './catalog/seed';
import type { Context } from './context';
import { createInventoryPrisma, type InventoryPrisma } from './db';
import type { InventoryConfig } from './env';
import { createLoaders } from './loaders';
import { createInventoryServices, type InventoryServices } from './services';
import type { SiteLookup } from './services/depot-directory';
import type { LivePublisher } from './services/stock-notifier';
import { startReservationSweeper } from './services/reservation-sweeper';
import { buildInventorySchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'inventory', 'migrations');

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

/** Starts the inventory subgraph: migrate, seed the standard catalog, serve, sweep expired holds, publish the outbox. */
export async function startInventoryApp(
  config: InventoryConfig,
  logger: Logger,
  options: InventoryAppOptions = {},
): Promise<InventoryApp> {
  const database = await openSubgraphDatabase('inventory', config, migrationsDir, logger);

  const prisma = createInventoryPrisma(database, options.onQuery);
  await seedStandardProducts(prisma, logger);
  const events =
    options.publisher === undefined
      ? createPubSub({
          redisUrl: config.redis?.url,
          prefix: `${config.redis?.keyPrefix ?? 'flow:'}events:`,
          logger: logger.child({ component: 'pubsub' }),
        })
      : null;
  const bus = createSubgraphEventBus('inventory', config, logger);
  let relay: OutboxRelay | null = null;
  const live = options.publisher ?? events;
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
    // Every stock notification follows a commit that may have written outbox rows: wake the relay.
    publisher: {
      publish: async (topic, message) => {
        relay?.wake();
        await live?.publish(topic, message);
      },
    },
  });
  const sweeper = startReservationSweeper(services.expireReservations, config.sweep.intervalSeconds, logger);

  const server = await startSubgraphServer<Context>({
    name: 'inventory',
    schema: buildInventorySchema(),
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
    events: events ?? undefined,
    close: async () => {
      await sweeper.stop();
      await relay?.stop();
      await bus.close();
      await events?.close();
      await prisma.$disconnect();
    },
  });
  relay = startOutboxRelay({
    source: 'inventory',
    database,
    publisher: bus.publisher,
    logger,
    intervalMs: config.events.outboxIntervalMs,
  });
  return { ...server, services, prisma };
}
