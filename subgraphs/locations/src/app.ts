import { startSubgraph, subgraphMigrationsDir, type Logger, type RunningSubgraph } from '@flow/platform';
import type { LocationsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createGeocoder, type Geocoder } from './geocoding';
import { createLoaders } from './loaders';
import { createLocationsServices, type LocationsServices } from './services';
import { buildLocationsSchema } from './subgraph';

export const migrationsDir = subgraphMigrationsDir('locations');

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

/** The locations subgraph. Nothing is seeded: sites are the organizations' own. */
export function startLocationsApp(
  config: LocationsConfig,
  logger: Logger,
  options: LocationsAppOptions = {},
): Promise<LocationsApp> {
  const geocoder = options.geocoder ?? createGeocoder(config.geocoder);
  return startSubgraph({
    name: 'locations',
    config,
    logger,
    options,
    PrismaClient,
    schema: buildLocationsSchema,
    wire: ({ prisma }) => {
      const services = createLocationsServices({ prisma, geocoder, routes: config.routes });
      logger.info({ geocoder: geocoder.name, routes: config.routes }, 'locations configured');
      return {
        context: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
        expose: { services, geocoder },
      };
    },
  });
}
