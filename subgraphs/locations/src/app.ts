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
import { createLocationsPrisma } from './db';
import type { LocationsConfig } from './env';
import { createGeocoder, type Geocoder } from './geocoding';
import { createLoaders } from './loaders';
import { createLocationsServices, type LocationsServices } from './services';
import { buildLocationsSchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'locations', 'migrations');

export interface LocationsApp extends RunningSubgraph {
  services: LocationsServices;
  geocoder: Geocoder;
}

export interface LocationsAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /** Replaces the configured geocoder (tests). */
  geocoder?: Geocoder;
}

/** Starts the locations subgraph: migrate, serve. Nothing is seeded: sites are the organizations' own. */
export async function startLocationsApp(
  config: LocationsConfig,
  logger: Logger,
  options: LocationsAppOptions = {},
): Promise<LocationsApp> {
  const database = await openSubgraphDatabase('locations', config, migrationsDir, logger);

  const prisma = createLocationsPrisma(database, options.onQuery);
  const geocoder = options.geocoder ?? createGeocoder(config.geocoder);
  const services = createLocationsServices({ prisma, geocoder, routes: config.routes });
  logger.info({ geocoder: geocoder.name, routes: config.routes }, 'locations configured');

  const server = await startSubgraphServer<Context>({
    name: 'locations',
    schema: buildLocationsSchema(),
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
    close: () => prisma.$disconnect(),
  });
  return { ...server, services, geocoder };
}
