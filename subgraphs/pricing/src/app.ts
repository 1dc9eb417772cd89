import { startSubgraph, subgraphMigrationsDir, type Logger, type RunningSubgraph } from '@flow/platform';
import type { PricingConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createPricingServices, type PricingServices } from './services';
import { RemoteDependencies } from './services/dependencies';
import { buildPricingSchema } from './subgraph';

export const migrationsDir = subgraphMigrationsDir('pricing');

export interface PricingApp extends RunningSubgraph {
  services: PricingServices;
  dependencies: RemoteDependencies;
}

export interface PricingAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
}

/**
 * The pricing subgraph. It seeds nothing: prices are the vendors' to set. Ready on its own
 * database alone: a dependency that is down makes compareOffers fail fast (circuit breaker),
 * while prices and terms can still be read and set.
 */
export function startPricingApp(
  config: PricingConfig,
  logger: Logger,
  options: PricingAppOptions = {},
): Promise<PricingApp> {
  const dependencies = new RemoteDependencies({
    urls: {
      users: config.subgraphUrls.users!,
      locations: config.subgraphUrls.locations!,
      inventory: config.subgraphUrls.inventory!,
    },
    secret: config.routerSecret,
    logger,
    timeoutMs: config.dependencyTimeoutMs,
  });
  return startSubgraph({
    name: 'pricing',
    config,
    logger,
    options,
    PrismaClient,
    schema: buildPricingSchema,
    wire: ({ prisma }) => {
      const services = createPricingServices({
        prisma,
        dependencies,
        platformCurrency: config.platformCurrency,
        logger,
      });
      return {
        context: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
        expose: { services, dependencies },
      };
    },
  });
}
