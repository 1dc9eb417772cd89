import {
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
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

const reader = subgraphConfigReader('reviews', reviewsEnvironmentShape, (env) => ({
  reviewWindowDays: env.REVIEW_WINDOW_DAYS,
}));

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parseReviewsConfig = (source: NodeJS.ProcessEnv): ReviewsConfig => reader.parse(source);
/** Like parseReviewsConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadReviewsConfig = (): ReviewsConfig => reader.load();
