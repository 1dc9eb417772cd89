import { startSubgraph, subgraphMigrationsDir, type Logger, type RunningSubgraph } from '@flow/platform';
import type { NotificationsPrisma } from './db';
import type { NotificationsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createNotificationsServices, type NotificationsServices } from './services';
import type { LivePublisher } from './services/live-updates';
import { buildNotificationsSchema } from './subgraph';

export const migrationsDir = subgraphMigrationsDir('notifications');

export interface NotificationsApp extends RunningSubgraph {
  /** `services.inbox.handle` is the domain-event handler the kit plugs into the event bus. */
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
 * The notifications subgraph: it consumes the domain events of the catalog's `consumes` (from
 * RabbitMQ, or pushed to /events/inbox without a broker) and serves what they became.
 */
export function startNotificationsApp(
  config: NotificationsConfig,
  logger: Logger,
  options: NotificationsAppOptions = {},
): Promise<NotificationsApp> {
  return startSubgraph({
    name: 'notifications',
    config,
    logger,
    options,
    PrismaClient,
    schema: buildNotificationsSchema,
    wire: ({ prisma, live }) => {
      const services = createNotificationsServices({ prisma, logger, publisher: live });
      return {
        context: (base) => ({ ...base, services, loaders: createLoaders(prisma, base.viewer) }),
        handleEvent: services.inbox.handle,
        expose: { services, prisma },
      };
    },
  });
}
