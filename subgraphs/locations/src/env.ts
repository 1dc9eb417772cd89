import { defineSubgraphConfig } from '@flow/subgraph-kit';
import { z } from '@flow/core';
import type { RoutePolicy } from './geo/distance';

export type GeocoderConfig =
  { kind: 'gazetteer' } | { kind: 'http'; url: string; timeoutMs: number; userAgent: string };

export const {
  environmentShape: locationsEnvironmentShape,
  parse: parseLocationsConfig,
  load: loadLocationsConfig,
} = defineSubgraphConfig({
  name: 'locations',
  variables: {
    /** `gazetteer`: offline, city level, from the GeoNames data shipped in node_modules. `http`: GEOCODER_URL. */
    GEOCODER: z.enum(['gazetteer', 'http']).default('gazetteer'),
    /** A Nominatim-compatible search endpoint, e.g. https://nominatim.example.org/search (GEOCODER=http). */
    GEOCODER_URL: z.string().url().optional(),
    GEOCODER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
    GEOCODER_USER_AGENT: z.string().min(1).default('flow-locations/0.1'),
    /** Road distance / great-circle distance. */
    ROAD_FACTOR: z.coerce.number().min(1).max(3).default(1.3),
    AVERAGE_SPEED_KPH: z.coerce.number().min(1).max(200).default(50),
  },
  toConfig: (env): { geocoder: GeocoderConfig; routes: RoutePolicy } => ({
    geocoder:
      env.GEOCODER === 'http'
        ? {
            kind: 'http',
            url: env.GEOCODER_URL!,
            timeoutMs: env.GEOCODER_TIMEOUT_MS,
            userAgent: env.GEOCODER_USER_AGENT,
          }
        : { kind: 'gazetteer' },
    routes: { roadFactor: env.ROAD_FACTOR, averageSpeedKph: env.AVERAGE_SPEED_KPH },
  }),
  // http needs its URL (production refuses development defaults, as in every subgraph).
  problems: (env) =>
    env.GEOCODER === 'http' && !env.GEOCODER_URL ? ['GEOCODER_URL: required when GEOCODER=http'] : [],
});

export type LocationsConfig = ReturnType<typeof parseLocationsConfig>;
