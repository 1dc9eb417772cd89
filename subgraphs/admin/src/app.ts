import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import type { AdminConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createAdminServices } from './services';
import { buildAdminSchema } from './subgraph';

export type AdminAppOptions = SubgraphStartOptions;

/**
 * The admin subgraph: it records every domain event (the catalog binds `#`; RabbitMQ, or pushed
 * to /events/inbox without a broker) in its audit log and statistics projections, and serves them.
 */
export const startAdminApp = defineSubgraph({
  name: 'admin',
  PrismaClient,
  schema: buildAdminSchema,
  wire: ({ prisma }, { config, logger }: SubgraphStart<AdminConfig, AdminAppOptions>) => {
    const services = createAdminServices({ prisma, logger, platformCurrency: config.platformCurrency });
    return {
      context: (base): Context => ({ ...base, services }),
      handleEvent: services.recorder.handle,
      // `prisma`: tests and the rebuild look into its tables.
      expose: { services, prisma },
    };
  },
});

export type AdminApp = Awaited<ReturnType<typeof startAdminApp>>;
