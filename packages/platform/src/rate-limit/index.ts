import { MemoryRateLimiter } from './memory';
import { redactRedisUrl, RedisRateLimiter, type RedisRateLimiterOptions } from './redis';
import type { RateLimiter } from './types';

export * from './types';
export * from './memory';
export * from './redis';

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
