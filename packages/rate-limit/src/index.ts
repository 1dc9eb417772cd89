// The public API of @flow/rate-limit: what other packages and workspaces use. Everything else is internal.
export { createPointsLimiter, createRateLimiter } from './rate-limit';
export { LeasedPointsLimiter, type LeasedPointsLimiterOptions } from './rate-limit/points-leases';
export { MemoryPointsLimiter, type PointsBucket, type PointsLimiter } from './rate-limit/points';
export { redactRedisUrl } from './rate-limit/redis-with-fallback';
export { type RateLimiter } from './rate-limit/types';
