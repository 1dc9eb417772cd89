import {
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
  type SubgraphConfigReader,
} from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const reviewsEnvironmentShape = {
  ...subgraphEnvironmentShape('reviews', 8009),
  /** How many days after delivery a hospital may review the order. */
  REVIEW_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
};

export type ReviewsEnvironment = z.infer<z.ZodObject<typeof reviewsEnvironmentShape>>;

export interface ReviewsConfig extends SubgraphCommonConfig {
  reviewWindowDays: number;
}

export const { parse: parseReviewsConfig, load: loadReviewsConfig }: SubgraphConfigReader<ReviewsConfig> =
  subgraphConfigReader('reviews', reviewsEnvironmentShape, (env) => ({
    reviewWindowDays: env.REVIEW_WINDOW_DAYS,
  }));
