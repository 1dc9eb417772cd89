import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import type { PricingConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createPricingServices } from './services';
import { RemoteDependencies } from './clients';
import { buildPricingSchema } from './subgraph';

export type PricingAppOptions = SubgraphStartOptions;

/**
 * The pricing subgraph. It seeds nothing: prices are the vendors' to set. Ready on its own
 * database alone: a dependency that is down makes compareOffers fail fast (circuit breaker),
 * while prices and terms can still be read and set.
 */
export const startPricingApp = defineSubgraph({
  name: 'pricing',
  PrismaClient,
  schema: buildPricingSchema,
  wire: ({ prisma }, { config, logger }: SubgraphStart<PricingConfig, PricingAppOptions>) => {
    const dependencies = new RemoteDependencies({
      urls: {
        users: config.subgraphUrls.users!,
        locations: config.subgraphUrls.locations!,
        inventory: config.subgraphUrls.inventory!,
      },
      secret: config.routerSecret,
      logger,
      timeoutMs: config.dependencyTimeoutMs,
      organizationStatusCacheMs: config.organizationStatusCacheMs,
    });
    const services = createPricingServices({
      prisma,
      dependencies,
      platformCurrency: config.platformCurrency,
      logger,
    });
    return {
      context: (base): Context => ({ ...base, services, loaders: createLoaders(prisma) }),
      expose: { services, dependencies },
    };
  },
});

export type PricingApp = Awaited<ReturnType<typeof startPricingApp>>;
