import { defineSubgraphConfig, idempotencyKeyTtlHoursSchema } from '@flow/subgraph-kit';
import { z } from '@flow/core';

const SEVEN_DAYS = 7 * 24 * 3600;

/**
 * The placement saga's worst case (README "Ordering", invariant 7), each call at
 * DEPENDENCY_TIMEOUT_MS: pricing (3 attempts per try, up to 3 tries while nothing is written),
 * locations (3 attempts), up to 20 holds; then payments at PAYMENTS_TIMEOUT_MS; plus the pauses
 * between tries. 108 s at the defaults: the router's PLACE_ORDER_TIMEOUT_MS (120 s) sits above it.
 */
export const placementWorstCaseMs = (config: { dependencyTimeoutMs: number; paymentsTimeoutMs: number }) =>
  config.dependencyTimeoutMs * (3 * 3 + 3 + 20) + config.paymentsTimeoutMs + 2_000;

export const {
  environmentShape: ordersEnvironmentShape,
  parse: parseOrdersConfig,
  load: loadOrdersConfig,
} = defineSubgraphConfig({
  name: 'orders',
  variables: {
    /**
     * The longest a request may run here. Above the router's PLACE_ORDER_TIMEOUT_MS (120 s), so
     * that placeOrder's deadline is not cut below the saga's worst case; every other operation
     * carries the router's shorter SUBGRAPH_TIMEOUT_MS deadline.
     */
    REQUEST_DEADLINE_MAX_MS: z.coerce.number().int().min(100).max(600_000).default(150_000),
    IDEMPOTENCY_KEY_TTL_HOURS: idempotencyKeyTtlHoursSchema(),
    /** How long a payments call may take: longer than payments' own provider timeout (5 s). */
    PAYMENTS_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(10_000),
    /** How often the recovery job looks for interrupted placements and unfinished settlements. */
    RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /**
     * A placement still running after this long is presumed dead (its process crashed); only then
     * is "no hold found" or "no payment found" taken as final, since a slow call could still land.
     */
    PLACEMENT_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
    /** How long stock stays held for an order: from placement until delivery commits it. */
    STOCK_HOLD_SECONDS: z.coerce.number().int().min(60).max(SEVEN_DAYS).default(SEVEN_DAYS),
  },
  toConfig: (env) => ({
    idempotencyKeyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
    paymentsTimeoutMs: env.PAYMENTS_TIMEOUT_MS,
    recoveryIntervalMs: env.RECOVERY_INTERVAL_MS,
    placementGraceSeconds: env.PLACEMENT_GRACE_SECONDS,
    stockHoldSeconds: env.STOCK_HOLD_SECONDS,
  }),
});

export type OrdersConfig = ReturnType<typeof parseOrdersConfig>;
