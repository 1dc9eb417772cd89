import { MemoryRateLimiter } from './memory';
import { MemoryPointsLimiter, type PointsLimiter } from './points';
import { RedisPointsLimiter, type RedisPointsLimiterOptions } from './points-redis';
import { redactRedisUrl, RedisRateLimiter, type RedisRateLimiterOptions } from './redis';
import type { RateLimiter } from './types';

export { type RateLimitDecision, type RateLimitRule, type RateLimiter, ruleCost } from './types';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory';
export {
  DEFAULT_RATE_LIMIT_KEY_PREFIX,
  type RateLimitFallbackReason,
  RedisRateLimiter,
  type RedisRateLimiterOptions,
  redactRedisUrl,
} from './redis';
export {
  type Gcra,
  MemoryPointsLimiter,
  type MemoryPointsLimiterOptions,
  type PointsBucket,
  type PointsDecision,
  type PointsLimiter,
  type PointsRule,
  checkCost,
  combine,
  gcraOf,
  judge,
} from './points';
export { LeasedPointsLimiter, type LeasedPointsLimiterOptions } from './points-leases';
export {
  DEFAULT_POINTS_KEY_PREFIX,
  RedisPointsLimiter,
  type RedisPointsLimiterOptions,
} from './points-redis';

export interface CreateRateLimiterOptions extends Omit<RedisRateLimiterOptions, 'url'> {
  /** A Redis URL: counters shared by every process. None (or empty): in-process counters. */
  redisUrl?: string;
}

/** Redis when a URL is given (falling back to memory while it is unreachable), memory otherwise. */
export function createRateLimiter(options: CreateRateLimiterOptions): RateLimiter {
  const { redisUrl, ...rest } = options;
  if (!redisUrl) {
    options.logger.debug('rate limiter: in-process counters (no Redis URL)');
    return new MemoryRateLimiter();
  }
  options.logger.debug({ redis: redactRedisUrl(redisUrl) }, 'rate limiter: Redis counters');
  return new RedisRateLimiter({ ...rest, url: redisUrl });
}

export interface CreatePointsLimiterOptions extends Omit<RedisPointsLimiterOptions, 'url'> {
  /** A Redis URL: buckets shared by every process. None (or empty): in-process buckets. */
  redisUrl?: string;
}

/** Points budgets in Redis when a URL is given (falling back to memory while it is away), else in memory. */
export function createPointsLimiter(options: CreatePointsLimiterOptions): PointsLimiter {
  const { redisUrl, ...rest } = options;
  if (!redisUrl) return new MemoryPointsLimiter();
  return new RedisPointsLimiter({ ...rest, url: redisUrl });
}
