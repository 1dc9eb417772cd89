import DataLoader from 'dataloader';
import { rowByIdLoader } from '@flow/subgraph-kit';
import { isUuid, type KeysetCursor } from '@flow/core';
import type { Review } from './generated/prisma/client';
import type { ReviewsPrisma } from './db';
import { reviewCounts, reviewPages, starCounts } from './review-sql';
import { NO_STARS, type StarCounts } from './services/ratings';

/** One page of one vendor's reviews: what Organization.reviews asks for. */
export interface ReviewPageKey {
  vendorId: string;
  size: number;
  after: KeysetCursor | null;
  /** Platform admins see hidden reviews too. */
  includeHidden: boolean;
}

export interface ReviewPage {
  /** Up to size + 1 rows: the extra one only says there is a next page. */
  rows: Review[];
  totalCount: number;
}

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  reviewById: DataLoader<string, Review | null>;
  reviewPage: DataLoader<ReviewPageKey, ReviewPage, string>;
  /** A vendor's visible reviews per number of stars (Organization.rating, Offer.vendorRating). */
  starsByVendorId: DataLoader<string, StarCounts>;
}

const pageShape = (key: ReviewPageKey) => JSON.stringify([key.size, key.after, key.includeHidden]);
export const reviewPageCacheKey = (key: ReviewPageKey) => `${key.vendorId.toLowerCase()}:${pageShape(key)}`;

/**
 * Pages asked with the same size, cursor and visibility (the usual case: one selection set over a
 * list of organizations) are fetched together, two statements for all of them.
 */
async function loadReviewPages(prisma: ReviewsPrisma, keys: readonly ReviewPageKey[]): Promise<ReviewPage[]> {
  const groups = new Map<string, ReviewPageKey[]>();
  for (const key of keys) groups.set(pageShape(key), [...(groups.get(pageShape(key)) ?? []), key]);
  const pages = new Map<string, ReviewPage>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const { size, after, includeHidden } = group[0]!;
      const vendorIds = [...new Set(group.map((key) => key.vendorId.toLowerCase()))];
      const [rows, counts] = await Promise.all([
        reviewPages(prisma, { vendorIds, limit: size + 1, after, includeHidden }),
        reviewCounts(prisma, vendorIds, includeHidden),
      ]);
      for (const key of group) {
        const vendorId = key.vendorId.toLowerCase();
        pages.set(reviewPageCacheKey(key), {
          rows: rows.filter((row) => row.vendorOrganizationId === vendorId),
          totalCount: counts.get(vendorId) ?? 0,
        });
      }
    }),
  );
  return keys.map((key) => pages.get(reviewPageCacheKey(key))!);
}

export function createLoaders(prisma: ReviewsPrisma): Loaders {
  return {
    reviewById: rowByIdLoader(prisma.review),
    reviewPage: new DataLoader((keys) => loadReviewPages(prisma, keys), { cacheKeyFn: reviewPageCacheKey }),
    starsByVendorId: new DataLoader(async (keys) => {
      // A key that is no uuid (a hand-made reference) has no reviews: no statement for it.
      const ids = [...new Set(keys.filter(isUuid).map((key) => key.toLowerCase()))];
      const counts = ids.length ? await starCounts(prisma, ids) : new Map<string, StarCounts>();
      return keys.map((key) => counts.get(key.toLowerCase()) ?? NO_STARS);
    }),
  };
}
