import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import type { ReviewsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createReviewsServices } from './services';
import { buildReviewsSchema } from './subgraph';

export type ReviewsAppOptions = SubgraphStartOptions;

/**
 * The reviews subgraph: it consumes order.delivered (which orders may be reviewed, by whom) from
 * RabbitMQ or its /events/inbox, and publishes review.* from its outbox.
 */
export const startReviewsApp = defineSubgraph({
  name: 'reviews',
  PrismaClient,
  schema: buildReviewsSchema,
  outbox: true,
  wire: ({ prisma }, { config, logger }: SubgraphStart<ReviewsConfig, ReviewsAppOptions>) => {
    const services = createReviewsServices({ prisma, logger, reviewWindowDays: config.reviewWindowDays });
    return {
      context: (base): Context => ({ ...base, services, loaders: createLoaders(prisma) }),
      handleEvent: services.deliveries.handle,
      // `prisma`: tests look into its tables.
      expose: { services, prisma },
    };
  },
});

export type ReviewsApp = Awaited<ReturnType<typeof startReviewsApp>>;
