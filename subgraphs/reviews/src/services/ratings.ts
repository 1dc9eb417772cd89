// A vendor's rating from the star counts of its visible reviews. Pure: the statement that counts
// them is in review-sql.ts.

export const STARS = [1, 2, 3, 4, 5] as const;

/** Visible reviews of one vendor per number of stars (index 0: one star). */
export type StarCounts = readonly [number, number, number, number, number];

export interface RatingSummary {
  /** Mean stars to two decimals; null without reviews. */
  average: number | null;
  count: number;
  distribution: { stars: number; count: number }[];
}

export const NO_STARS: StarCounts = [0, 0, 0, 0, 0];

export function summarize(counts: StarCounts): RatingSummary {
  const count = counts.reduce((sum, n) => sum + n, 0);
  const stars = counts.reduce((sum, n, index) => sum + n * (index + 1), 0);
  return {
    average: count === 0 ? null : Math.round((stars / count) * 100) / 100,
    count,
    distribution: STARS.map((star) => ({ stars: star, count: counts[star - 1]! })),
  };
}
