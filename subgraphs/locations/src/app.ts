import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import type { LocationsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createGeocoder, type Geocoder } from './geocoding';
import { createLoaders } from './loaders';
import { createLocationsServices } from './services';
import { buildLocationsSchema } from './subgraph';

export interface LocationsAppOptions extends SubgraphStartOptions {
  /** Replaces the configured geocoder (tests). */
  geocoder?: Geocoder;
}

/** The locations subgraph. Nothing is seeded: sites are the organizations' own. */
export const startLocationsApp = defineSubgraph({
  name: 'locations',
  PrismaClient,
  schema: buildLocationsSchema,
  wire: ({ prisma }, { config, logger, options }: SubgraphStart<LocationsConfig, LocationsAppOptions>) => {
    const geocoder = options.geocoder ?? createGeocoder(config.geocoder);
    const services = createLocationsServices({ prisma, geocoder, routes: config.routes });
    logger.info({ geocoder: geocoder.name, routes: config.routes }, 'locations configured');
    return {
      context: (base): Context => ({ ...base, services, loaders: createLoaders(prisma) }),
      expose: { services, geocoder },
    };
  },
});

export type LocationsApp = Awaited<ReturnType<typeof startLocationsApp>>;
