import type { RoutePolicy } from '../geo/distance';
import type { Geocoder } from '../geocoding';
import type { LocationsPrisma } from '../db';
import { AddressLocator } from './address-locator';
import { RouteService } from './route-service';
import { SiteGrantService } from './site-grant-service';
import { SiteService } from './site-service';

export interface LocationsServices {
  sites: SiteService;
  routes: RouteService;
  grants: SiteGrantService;
}

export interface LocationsServicesOptions {
  prisma: LocationsPrisma;
  geocoder: Geocoder;
  routes: RoutePolicy;
}

export function createLocationsServices(options: LocationsServicesOptions): LocationsServices {
  return {
    sites: new SiteService(options.prisma, new AddressLocator(options.geocoder)),
    routes: new RouteService(options.prisma, options.routes),
    grants: new SiteGrantService(options.prisma),
  };
}
