import { errors, pageSize, requireUuid } from '@flow/core';
import { type BaseContext } from '@flow/subgraph-kit';
import {
  boundingBox,
  drivingMinutes,
  roadDistanceKm,
  routeBetween,
  type Route,
  type RoutePolicy,
} from '../geo/distance';
import type { Site } from '../generated/prisma/client';
import type { LocationsPrisma } from '../db';
import type { Loaders } from '../loaders';
import { nearestDepots } from '../site-sql';
import { assertCan, requireVisibleSite } from './policy';
import { parsePosition, type PositionInput } from './site-input';

export interface NearestDepotsArgs {
  siteId: string;
  organizationIds?: readonly string[] | null;
  maxDistanceKm?: number | null;
  first?: number | null;
}

export interface DepotDistance extends Route {
  depot: Site;
}

/** Longer than any road on Earth: a bigger limit is a mistake, not a wish. */
const MAX_DISTANCE_KM = 40_000;
/** pricing passes every approved vendor; a few hundred is plenty, thousands would be abuse. */
const MAX_ORGANIZATION_IDS = 1000;

type LocationsContext = BaseContext & { loaders: Loaders };

/** Road distances and driving times between sites, positions and depots. */
export class RouteService {
  constructor(
    private readonly prisma: LocationsPrisma,
    private readonly policy: RoutePolicy,
  ) {}

  async route(ctx: LocationsContext, fromSiteId: string, toSiteId: string): Promise<Route> {
    assertCan.readSites(ctx);
    const [from, to] = await Promise.all([
      this.visibleSite(ctx, fromSiteId, 'fromSiteId'),
      this.visibleSite(ctx, toSiteId, 'toSiteId'),
    ]);
    return routeBetween(from, to, this.policy);
  }

  /** From where a vehicle is now to a site. */
  async eta(ctx: LocationsContext, from: PositionInput, toSiteId: string): Promise<Route> {
    assertCan.readSites(ctx);
    const position = parsePosition(from, 'from');
    return routeBetween(position, await this.visibleSite(ctx, toSiteId, 'toSiteId'), this.policy);
  }

  /** Closest first; two statements whatever the number of depots (the site, then the search). */
  async nearestDepots(ctx: LocationsContext, args: NearestDepotsArgs): Promise<DepotDistance[]> {
    assertCan.readSites(ctx);
    const limit = pageSize(args.first, 'first');
    const organizationIds = this.organizationFilter(args.organizationIds);
    const maxDistanceKm = args.maxDistanceKm ?? null;
    if (maxDistanceKm !== null && !(maxDistanceKm > 0 && maxDistanceKm <= MAX_DISTANCE_KM))
      throw errors.badUserInput(
        'maxDistanceKm',
        `maxDistanceKm must be more than 0 and at most ${MAX_DISTANCE_KM}.`,
      );
    const origin = await this.visibleSite(ctx, args.siteId, 'siteId');
    if (organizationIds?.length === 0) return [];

    // Road distance = great circle x road factor, so the limit on the great circle is smaller.
    const greatCircleLimit = maxDistanceKm === null ? null : maxDistanceKm / this.policy.roadFactor;
    const rows = await nearestDepots(this.prisma, {
      origin,
      excludeSiteId: origin.id,
      organizationIds,
      within:
        greatCircleLimit === null
          ? null
          : { greatCircleKm: greatCircleLimit, box: boundingBox(origin, greatCircleLimit) },
      limit,
    });
    return rows.map(({ greatCircleKm, ...depot }) => {
      ctx.loaders.siteById.prime(depot.id, depot);
      const distanceKm = roadDistanceKm(greatCircleKm, this.policy);
      return { depot, distanceKm, durationMinutes: drivingMinutes(distanceKm, this.policy) };
    });
  }

  private organizationFilter(ids: readonly string[] | null | undefined): string[] | null {
    if (ids === null || ids === undefined) return null;
    if (ids.length > MAX_ORGANIZATION_IDS)
      throw errors.badUserInput(
        'organizationIds',
        `organizationIds may name at most ${MAX_ORGANIZATION_IDS}.`,
      );
    return [...new Set(ids.map((id, index) => requireUuid(id, `organizationIds[${index}]`)))];
  }

  private async visibleSite(ctx: LocationsContext, rawId: string, field: string): Promise<Site> {
    const id = requireUuid(rawId, field);
    const site = await ctx.loaders.siteById.load(id);
    if (!site) throw errors.notFound('Site', id);
    return requireVisibleSite(ctx, site);
  }
}
