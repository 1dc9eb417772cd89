// The router's protections that keep counts: the sign-in throttle, the rate limits and caps
// (usage/), and the automatic persisted queries. With Redis they are shared by every router; while
// Redis is unreachable each router counts on its own, so a Redis outage shows as "degraded" in
// /health/ready, never as unready.
import type { Logger, ReadinessCheck } from '@flow/core';
import type { RouterConfig } from './env';
import type { RouterMetrics } from './metrics';
import { signInThrottleFromConfig, type SignInThrottle } from './rate-limit';
import { memoryApqCache, redisApqCache, type ApqCache } from './trusted-documents/apq-cache';
import type { UsageCaps } from './usage/caps';
import type { OperationRateLimits } from './usage/rate-limits';
import { usageLimits } from './usage/setup';

export interface RouterLimits {
  signInThrottle?: SignInThrottle;
  operationRateLimits?: OperationRateLimits;
  caps: UsageCaps;
  apqCache: ApqCache;
  /** Checks /health/ready reports without making the router unready. */
  degradable: Record<string, ReadinessCheck>;
  /** Waits for Redis (2 s at most each) so that the first requests already count there; never fails. */
  warmUp: () => Promise<void>;
  /** After the HTTP drain: in-flight sign-ins still count. */
  close: () => Promise<void>;
}

export function createLimits(config: RouterConfig, logger: Logger, metrics: RouterMetrics): RouterLimits {
  // Shared by the routers in Redis, else in this process; bounded.
  const apqCache = config.redis
    ? redisApqCache(config.apq, config.redis, logger.child({ component: 'apq' }))
    : memoryApqCache(config.apq);
  const signIn = signInThrottleFromConfig(config, logger, metrics.registry, metrics.refused);
  const { pointsLimiter, operationRateLimits, caps } = usageLimits(
    config,
    logger,
    metrics.registry,
    metrics.refused,
  );
  const limiter = signIn.limiter;
  return {
    signInThrottle: signIn.throttle,
    operationRateLimits,
    caps,
    apqCache,
    degradable:
      limiter && config.redis
        ? {
            redis: async () => {
              if (!(await limiter.ready(500)))
                throw new Error('unreachable: sign-in attempts are counted in process');
            },
          }
        : {},
    warmUp: async () => {
      if (limiter && config.redis && !(await limiter.ready(2000))) {
        logger.warn('Redis not reachable at start: sign-in attempts are counted in process until it is');
      }
      if (pointsLimiter && config.redis && !(await pointsLimiter.ready(2000))) {
        logger.warn('Redis not reachable at start: rate-limit points are counted in process until it is');
      }
      if (config.redis && !(await apqCache.ready(2000))) {
        logger.warn('Redis not reachable at start: persisted query lookups miss until it is');
      }
    },
    close: async () => {
      await limiter?.close();
      await pointsLimiter?.close();
      await apqCache.close();
    },
  };
}
