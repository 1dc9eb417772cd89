// Builds the rate limits and caps from the configuration, with their metrics.
import { Counter, Gauge, type Registry } from 'prom-client';
import { createPointsLimiter, LeasedPointsLimiter, type PointsLimiter } from '@flow/rate-limit';
import { type Logger } from '@flow/core';
import type { RouterConfig } from '../env';
import { UsageCaps } from './caps';
import { createOperationRateLimits, type OperationRateLimits } from './rate-limits';

export function usageLimits(
  config: RouterConfig,
  logger: Logger,
  registry: Registry,
  refused: Counter<'reason'>,
): { pointsLimiter?: PointsLimiter; operationRateLimits?: OperationRateLimits; caps: UsageCaps } {
  const rateLimited = new Counter({
    name: 'flow_router_rate_limited_total',
    help: 'Operations refused by a rate limit, by budget (user, organization, address)',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const capped = new Counter({
    name: 'flow_router_caps_refused_total',
    help: 'Sockets, streams and subscriptions refused by a cap, by cap',
    labelNames: ['cap'] as const,
    registers: [registry],
  });
  const caps = new UsageCaps(config.caps, (cap) => {
    capped.inc({ cap });
    // A refused subscription is a refused operation; a refused socket is not.
    if (!cap.startsWith('sockets') && !cap.startsWith('anonymous_sockets')) refused.inc({ reason: 'capped' });
  });
  new Gauge({
    name: 'flow_router_live_connections',
    help: 'Live sockets, SSE streams and subscriptions counted by the caps',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.set({ kind: 'user_sockets' }, caps.sockets.total);
      this.set({ kind: 'anonymous_sockets' }, caps.anonymousSockets.total);
      this.set({ kind: 'sse_streams' }, caps.streams.total);
      this.set({ kind: 'subscriptions' }, caps.subscriptions.total);
    },
  });

  const settings = config.rateLimits;
  const anyBudget =
    settings.userPerMinute +
      (settings.clientPerMinute ?? 0) +
      settings.organizationPerMinute +
      settings.addressPerMinute +
      settings.anonymousPerMinute >
    0;
  if (!anyBudget) return { caps };
  const fallbacks = config.redis
    ? new Counter({
        name: 'flow_router_points_fallback_total',
        help: 'Rate-limit decisions made in process because Redis could not answer, by reason',
        labelNames: ['reason'] as const,
        registers: [registry],
      })
    : undefined;
  const shared = createPointsLimiter({
    redisUrl: config.redis?.url,
    keyPrefix: config.redis ? `${config.redis.keyPrefix}points:` : undefined,
    connectionName: `flow-router-points:${process.pid}`,
    logger: logger.child({ component: 'rate-limit' }),
    onFallback: (reason) => fallbacks?.inc({ reason }),
  });
  // In process (no Redis) every decision is local already.
  const leasePercent = settings.leasePercent ?? 0;
  const pointsLimiter =
    config.redis && leasePercent > 0
      ? new LeasedPointsLimiter(shared, { leaseShare: leasePercent / 100 })
      : shared;
  if (config.redis) {
    new Gauge({
      name: 'flow_router_points_redis_up',
      help: '1 while the rate limits reach Redis, 0 while each router counts in process',
      registers: [registry],
      collect() {
        this.set(pointsLimiter.connected ? 1 : 0);
      },
    });
  }
  const operationRateLimits = createOperationRateLimits({
    limiter: pointsLimiter,
    settings,
    onRefused: (limit) => {
      rateLimited.inc({ limit });
      refused.inc({ reason: 'rate_limited' });
    },
  });
  return { pointsLimiter, operationRateLimits, caps };
}
