import type { KeysetCursor } from '@flow/core';
import { EARTH_RADIUS_KM, type BoundingBox, type Position } from './geo/distance';
import { Prisma, type Site, type SiteKind } from './generated/prisma/client';
import type { LocationsPrisma } from './db';

/**
 * The statements Prisma's query API cannot express: one page of sites for many organizations at
 * once (a window function), and depots by distance (haversine in SQL, behind an index-friendly
 * bounding box). Rows come back in the shape of the Prisma `Site` model.
 */

const SITE_COLUMNS = Prisma.sql`
  s.id, s.organization_id AS "organizationId", s.name, s.kind::text AS kind,
  s.address_line1 AS line1, s.address_city AS city, s.address_region AS region,
  s.address_postal_code AS "postalCode", s.address_country AS country, s.lat, s.lng,
  s.position_source::text AS "positionSource", s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;

export interface SitePageQuery {
  organizationIds: string[];
  kinds: SiteKind[];
  /** Rows per organization (the caller asks one more than it shows, to know about a next page). */
  limit: number;
  after: KeysetCursor | null;
}

/** Newest first, `limit` per organization, after the cursor: one statement for every organization. */
export async function sitePages(prisma: LocationsPrisma, query: SitePageQuery): Promise<Site[]> {
  const afterCursor = query.after
    ? Prisma.sql`AND (s.created_at, s.id) < (${new Date(query.after.at)}::timestamptz, ${query.after.id}::uuid)`
    : Prisma.empty;
  return prisma.$queryRaw<Site[]>`
    SELECT ${SITE_COLUMNS} FROM (
      SELECT s.*, row_number() OVER (PARTITION BY s.organization_id ORDER BY s.created_at DESC, s.id DESC) AS rank
      FROM sites s
      WHERE s.organization_id = ANY(${query.organizationIds}::uuid[])
        AND s.kind = ANY(${query.kinds}::"SiteKind"[]) ${afterCursor}
    ) s
    WHERE s.rank <= ${query.limit}
    ORDER BY s.organization_id, s.rank`;
}

/** How many sites of the given kinds each organization has (organizations with none are absent). */
export async function siteCounts(
  prisma: LocationsPrisma,
  organizationIds: string[],
  kinds: SiteKind[],
): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<{ organizationId: string; count: number }[]>`
    SELECT s.organization_id AS "organizationId", count(*)::int AS count
    FROM sites s
    WHERE s.organization_id = ANY(${organizationIds}::uuid[]) AND s.kind = ANY(${kinds}::"SiteKind"[])
    GROUP BY s.organization_id`;
  return new Map(rows.map((row) => [row.organizationId, row.count]));
}

export interface NearestDepotsQuery {
  origin: Position;
  excludeSiteId: string;
  organizationIds: string[] | null;
  /** Great-circle limit (the road limit divided by the road factor), with its bounding box. */
  within: { greatCircleKm: number; box: BoundingBox } | null;
  limit: number;
}

export type SiteWithDistance = Site & { greatCircleKm: number };

/** Depots closest to `origin` by great-circle distance (so by road distance too), in one statement. */
export async function nearestDepots(
  prisma: LocationsPrisma,
  query: NearestDepotsQuery,
): Promise<SiteWithDistance[]> {
  const { lat, lng } = query.origin;
  const greatCircle = Prisma.sql`2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
      power(sin(radians(s.lat - ${lat}::float8) / 2), 2)
      + cos(radians(${lat}::float8)) * cos(radians(s.lat)) * power(sin(radians(s.lng - ${lng}::float8) / 2), 2))))`;
  const ofOrganizations = query.organizationIds
    ? Prisma.sql`AND s.organization_id = ANY(${query.organizationIds}::uuid[])`
    : Prisma.empty;
  let inBox = Prisma.empty;
  let withinDistance = Prisma.empty;
  if (query.within) {
    const { box, greatCircleKm } = query.within;
    const lngRanges = box.lngRanges.map(
      ([west, east]) => Prisma.sql`s.lng BETWEEN ${west}::float8 AND ${east}::float8`,
    );
    inBox = Prisma.sql`AND s.lat BETWEEN ${box.minLat}::float8 AND ${box.maxLat}::float8
      AND (${Prisma.join(lngRanges, ' OR ')})`;
    withinDistance = Prisma.sql`WHERE candidates."greatCircleKm" <= ${greatCircleKm}::float8`;
  }
  return prisma.$queryRaw<SiteWithDistance[]>`
    SELECT * FROM (
      SELECT ${SITE_COLUMNS}, ${greatCircle} AS "greatCircleKm"
      FROM sites s
      WHERE s.kind = 'DEPOT' AND s.id <> ${query.excludeSiteId}::uuid ${ofOrganizations} ${inBox}
    ) candidates
    ${withinDistance}
    ORDER BY candidates."greatCircleKm", candidates.id
    LIMIT ${query.limit}`;
}
