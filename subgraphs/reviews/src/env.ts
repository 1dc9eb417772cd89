import { defineSubgraphConfig } from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const {
  environmentShape: reviewsEnvironmentShape,
  parse: parseReviewsConfig,
  load: loadReviewsConfig,
} = defineSubgraphConfig({
  name: 'reviews',
  variables: {
    /** How many days after delivery a hospital may review the order. */
    REVIEW_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  },
  toConfig: (env) => ({ reviewWindowDays: env.REVIEW_WINDOW_DAYS }),
});

export type ReviewsConfig = ReturnType<typeof parseReviewsConfig>;
