import type { KeysetCursor } from '@flow/core';
import { Prisma, type Review } from './generated/prisma/client';
import type { ReviewsPrisma } from './db';
import type { StarCounts } from './services/ratings';

/**
 * The statements Prisma's query API cannot express: one page of reviews for many vendors at once
 * (a window function), their counts, and the star counts of many vendors, each in one statement.
 * Rows come back in the shape of the Prisma `Review` model.
 */

const REVIEW_COLUMNS = Prisma.sql`
  r.id, r.order_id AS "orderId", r.hospital_organization_id AS "hospitalOrganizationId",
  r.vendor_organization_id AS "vendorOrganizationId", r.author_id AS "authorId", r.rating, r.comment,
  r.created_at AS "createdAt", r.hidden_at AS "hiddenAt", r.hidden_reason AS "hiddenReason",
  r.hidden_by AS "hiddenBy"`;

const visibility = (includeHidden: boolean) =>
  includeHidden ? Prisma.empty : Prisma.sql`AND r.hidden_at IS NULL`;

export interface ReviewPageQuery {
  vendorIds: string[];
  /** Rows per vendor (the caller asks one more than it shows, to know about a next page). */
  limit: number;
  after: KeysetCursor | null;
  includeHidden: boolean;
}

/** Newest first, `limit` per vendor, after the cursor: one statement for every vendor. */
export async function reviewPages(prisma: ReviewsPrisma, query: ReviewPageQuery): Promise<Review[]> {
  const after = query.after
    ? Prisma.sql`AND (r.created_at, r.id) < (${new Date(query.after.at)}::timestamptz, ${query.after.id}::uuid)`
    : Prisma.empty;
  return prisma.$queryRaw<Review[]>`
    SELECT ${REVIEW_COLUMNS} FROM (
      SELECT r.*, row_number() OVER (PARTITION BY r.vendor_organization_id ORDER BY r.created_at DESC, r.id DESC) AS rank
      FROM reviews r
      WHERE r.vendor_organization_id = ANY(${query.vendorIds}::uuid[]) ${visibility(query.includeHidden)} ${after}
    ) r
    WHERE r.rank <= ${query.limit}
    ORDER BY r.vendor_organization_id, r.rank`;
}

/** How many reviews each vendor has (vendors with none are absent). */
export async function reviewCounts(
  prisma: ReviewsPrisma,
  vendorIds: string[],
  includeHidden: boolean,
): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<{ vendorId: string; count: number }[]>`
    SELECT r.vendor_organization_id::text AS "vendorId", count(*)::int AS count
    FROM reviews r
    WHERE r.vendor_organization_id = ANY(${vendorIds}::uuid[]) ${visibility(includeHidden)}
    GROUP BY r.vendor_organization_id`;
  return new Map(rows.map((row) => [row.vendorId, row.count]));
}

/** The visible reviews of each vendor per number of stars (vendors with none are absent). */
export async function starCounts(
  prisma: ReviewsPrisma,
  vendorIds: string[],
): Promise<Map<string, StarCounts>> {
  const rows = await prisma.$queryRaw<{ vendorId: string; stars: number[] }[]>`
    SELECT r.vendor_organization_id::text AS "vendorId",
      ARRAY[count(*) FILTER (WHERE r.rating = 1), count(*) FILTER (WHERE r.rating = 2),
            count(*) FILTER (WHERE r.rating = 3), count(*) FILTER (WHERE r.rating = 4),
            count(*) FILTER (WHERE r.rating = 5)]::int[] AS stars
    FROM reviews r
    WHERE r.vendor_organization_id = ANY(${vendorIds}::uuid[]) AND r.hidden_at IS NULL
    GROUP BY r.vendor_organization_id`;
  return new Map(rows.map((row) => [row.vendorId, row.stars as unknown as StarCounts]));
}
