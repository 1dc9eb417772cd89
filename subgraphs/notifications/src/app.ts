import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import type { NotificationsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createNotificationsServices } from './services';
import { buildNotificationsSchema } from './subgraph';

/**
 * `publisher`: where notificationAdded messages go (tests pass a MemoryPubSub they subscribe to,
 * and close it themselves); by default the platform channel: Redis when REDIS_URL is set, else
 * in-process, streamed to the router on /events.
 */
export type NotificationsAppOptions = SubgraphStartOptions;

/**
 * The notifications subgraph: it consumes the domain events of the catalog's `consumes` (from
 * RabbitMQ, or pushed to /events/inbox without a broker) and serves what they became.
 */
export const startNotificationsApp = defineSubgraph({
  name: 'notifications',
  PrismaClient,
  schema: buildNotificationsSchema,
  wire: ({ prisma, live }, { logger }: SubgraphStart<NotificationsConfig, NotificationsAppOptions>) => {
    const services = createNotificationsServices({ prisma, logger, publisher: live });
    return {
      context: (base): Context => ({ ...base, services, loaders: createLoaders(prisma, base.viewer) }),
      handleEvent: services.inbox.handle,
      // `prisma`: tests look into its tables.
      expose: { services, prisma },
    };
  },
});

export type NotificationsApp = Awaited<ReturnType<typeof startNotificationsApp>>;
