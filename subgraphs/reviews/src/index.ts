// The public API of the reviews subgraph: what other workspaces (scripts, tests, the platform) use.
export { startReviewsApp, type ReviewsApp, type ReviewsAppOptions } from './app';
export { reviewsEnvironmentShape, parseReviewsConfig, type ReviewsConfig } from './env';
export { buildReviewsSchema } from './subgraph';
