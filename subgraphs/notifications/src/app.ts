import { join } from 'node:path';
import {
  consumedEventTypes,
  createPubSub,
  createSubgraphEventBus,
  createRemoteTokenVerifier,
  subgraphSuspendedOrganizations,
  startSubgraphServer,
  openSubgraphDatabase,
  type Logger,
  type RunningSubgraph,
} from '@flow/platform';
import type { Context } from './context';
import { createNotificationsPrisma, type NotificationsPrisma } from './db';
import type { NotificationsConfig } from './env';
import { createLoaders } from './loaders';
import { createNotificationsServices, type NotificationsServices } from './services';
import type { LivePublisher } from './services/live-updates';
import { buildNotificationsSchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'notifications', 'migrations');

export interface NotificationsApp extends RunningSubgraph {
  /** `services.inbox.handle` is the domain-event handler to plug into the event bus. */
  services: NotificationsServices;
  /** The app's own database client (tests look into its tables). */
  prisma: NotificationsPrisma;
}

export interface NotificationsAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /**
   * Where notificationAdded messages go (tests pass a MemoryPubSub they subscribe to, and close
   * it themselves); by default the platform channel: Redis when REDIS_URL is set, else
   * in-process, streamed to the router on /events.
   */
  publisher?: LivePublisher | null;
}

/**
 * Starts the notifications subgraph: migrate, consume the domain events of the catalog's
 * `consumes` (from RabbitMQ, or pushed to /events/inbox without a broker), serve.
 */
export async function startNotificationsApp(
  config: NotificationsConfig,
  logger: Logger,
  options: NotificationsAppOptions = {},
): Promise<NotificationsApp> {
  const database = await openSubgraphDatabase('notifications', config, migrationsDir, logger);
  const prisma = createNotificationsPrisma(database, options.onQuery);
  const events =
    options.publisher === undefined
      ? createPubSub({
          redisUrl: config.redis?.url,
          prefix: `${config.redis?.keyPrefix ?? 'flow:'}events:`,
          logger: logger.child({ component: 'pubsub' }),
        })
      : null;
  const services = createNotificationsServices({ prisma, logger, publisher: options.publisher ?? events });
  const bus = createSubgraphEventBus('notifications', config, logger);
  await bus.consume({
    consumer: 'notifications',
    bindings: consumedEventTypes('notifications'),
    handler: services.inbox.handle,
  });

  const server = await startSubgraphServer<Context>({
    name: 'notifications',
    schema: buildNotificationsSchema(),
    logger,
    port: config.port,
    host: config.host,
    production: config.production,
    routerSecret: config.routerSecret,
    http: config.http,
    maxDeadlineMs: config.maxDeadlineMs,
    verifyToken: createRemoteTokenVerifier(config.jwt),
    suspensions: subgraphSuspendedOrganizations(config, logger),
    buildContext: (base) => ({ ...base, services, loaders: createLoaders(prisma, base.viewer) }),
    readiness: { database: () => prisma.$queryRaw`SELECT 1` },
    // The broker away: events wait in the producers' outboxes or the queue; queries still work.
    degradable: { broker: () => bus.check() },
    eventBus: bus,
    events: events ?? undefined,
    close: async () => {
      await bus.close();
      await events?.close();
      await prisma.$disconnect();
    },
  });
  return { ...server, services, prisma };
}
