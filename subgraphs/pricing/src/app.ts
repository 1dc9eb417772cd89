import { join } from 'node:path';
import {
  createRemoteTokenVerifier,
  subgraphSuspendedOrganizations,
  startSubgraphServer,
  openSubgraphDatabase,
  type Logger,
  type RunningSubgraph,
} from '@flow/platform';
import type { Context } from './context';
import { createPricingPrisma } from './db';
import type { PricingConfig } from './env';
import { createLoaders } from './loaders';
import { createPricingServices, type PricingServices } from './services';
import { RemoteDependencies } from './clients';
import { buildPricingSchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'pricing', 'migrations');

export interface PricingApp extends RunningSubgraph {
  services: PricingServices;
  dependencies: RemoteDependencies;
}

export interface PricingAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
}

/** Starts the pricing subgraph: migrate, serve. It seeds nothing: prices are the vendors' to set. */
export async function startPricingApp(
  config: PricingConfig,
  logger: Logger,
  options: PricingAppOptions = {},
): Promise<PricingApp> {
  const database = await openSubgraphDatabase('pricing', config, migrationsDir, logger);

  const prisma = createPricingPrisma(database, options.onQuery);
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
  const services = createPricingServices({
    prisma,
    dependencies,
    platformCurrency: config.platformCurrency,
    logger,
  });

  const server = await startSubgraphServer<Context>({
    name: 'pricing',
    schema: buildPricingSchema(),
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
    // Only its own database: a dependency that is down makes compareOffers fail fast (circuit
    // breaker), while prices and terms can still be read and set.
    readiness: { database: () => prisma.$queryRaw`SELECT 1` },
    close: () => prisma.$disconnect(),
  });
  return { ...server, services, dependencies };
}
