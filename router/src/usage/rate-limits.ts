// Rate limits on every operation: its cost (RouterContext.operationCost, 1 when unknown) is spent as
// points from up to three budgets at once, all or nothing: the user's and the organization's
// (signed in) and the client address's (everyone; anonymous callers have a smaller one of their
// own). Each budget refills steadily (points per minute) and holds at most its burst. Charged once
// per client operation, whatever the transport: HTTP in the router plugin, SSE and WebSocket when
// the operation is prepared; the queries the router runs for it afterwards (access checks, live
// event resolutions) carry `chargedPoints` and are not charged again.
import { GraphQLError } from 'graphql';
import type { PointsBucket, PointsLimiter } from '@flow/rate-limit';
import type { RouterContext } from '../context';
import { addressKey } from '@flow/core';
import { rateLimitedError } from '../rate-limited-error';
import { trustMultiplier, type TrustedClient } from './trusted';

export interface RateLimitSettings {
  /** Points per minute, per budget; 0 turns that budget off. */
  userPerMinute: number;
  /**
   * A partner's client application (RATE_LIMIT_CLIENT_POINTS_PER_MINUTE), in place of the user
   * budget: each application has its own, so one partner's traffic never spends another's.
   * Unset: userPerMinute.
   */
  clientPerMinute?: number;
  organizationPerMinute: number;
  /** The address budget of signed-in callers (shared by everyone behind one NAT or proxy). */
  addressPerMinute: number;
  /** The address budget of anonymous callers. */
  anonymousPerMinute: number;
  /** Each budget holds this many seconds' worth of points: the most a quiet caller spends at once. */
  burstSeconds: number;
  /** With Redis: the share (percent) of a budget leased at once to spend in process; 0: none. */
  leasePercent?: number;
  trusted: readonly TrustedClient[];
}

export type BudgetName = 'user' | 'client' | 'organization' | 'address';

const MINUTE_MS = 60_000;

export function operationRateLimitedError(limit: BudgetName, retryAfterMs: number): GraphQLError {
  const whose = {
    user: 'your account',
    client: 'this client application',
    organization: 'your organization',
    address: 'your address',
  }[limit];
  return rateLimitedError(retryAfterMs, `Rate limit reached for ${whose}.`, { limit });
}

export interface OperationRateLimits {
  /** Spends the operation's cost; throws the 429 RATE_LIMITED error when a budget is short. */
  charge(context: RouterContext): Promise<void>;
}

export function createOperationRateLimits(options: {
  limiter: PointsLimiter;
  settings: RateLimitSettings;
  onRefused?: (limit: BudgetName) => void;
}): OperationRateLimits {
  const { limiter, settings, onRefused = () => {} } = options;

  const budgetsOf = (context: RouterContext) => {
    const viewer = context.viewer;
    const address = addressKey(context.clientAddress);
    const multiplier = trustMultiplier(settings.trusted, {
      organizationId: viewer?.organizationId ?? null,
      address: context.clientAddress,
    });
    const budgets: Array<{ name: BudgetName; bucket: PointsBucket; capacity: number }> = [];
    const add = (name: BudgetName, key: string, perMinute: number) => {
      if (perMinute <= 0) return;
      const points = Math.max(1, Math.round(perMinute * multiplier));
      const burst = Math.max(1, Math.round((points * settings.burstSeconds) / 60));
      budgets.push({ name, bucket: { key, rule: { points, periodMs: MINUTE_MS, burst } }, capacity: burst });
    };
    if (viewer) {
      if (viewer.clientApplication)
        add(
          'client',
          `client:${viewer.clientApplication.id}`,
          settings.clientPerMinute ?? settings.userPerMinute,
        );
      else add('user', `user:${viewer.userId}`, settings.userPerMinute);
      add('organization', `org:${viewer.organizationId}`, settings.organizationPerMinute);
      add('address', `addr:${address}`, settings.addressPerMinute);
    } else {
      add('address', `anon:${address}`, settings.anonymousPerMinute);
    }
    return budgets;
  };

  return {
    async charge(context) {
      if (context.chargedPoints !== undefined) return;
      // At least 1: an operation the cost model calls free (`{ __typename }`) still costs the
      // router a request, and must not be floodable.
      const raw = context.operationCost ?? 1;
      const cost = Number.isFinite(raw) && raw >= 1 ? Math.ceil(raw) : 1;
      const budgets = budgetsOf(context);
      if (budgets.length === 0) {
        context.chargedPoints = 0;
        return;
      }
      // An operation dearer than a whole budget runs only when that budget is full, and empties it.
      const points = Math.min(cost, ...budgets.map((b) => b.capacity));
      let decision;
      try {
        decision = await limiter.consume(
          budgets.map((b) => b.bucket),
          points,
        );
      } catch (error) {
        // A limiter bug must not lock everyone out, nor reach the client as an internal error.
        context.logger.error({ err: error }, 'rate limiter failed; letting the operation through');
        context.chargedPoints = 0;
        return;
      }
      if (decision.allowed) {
        context.chargedPoints = points;
        return;
      }
      const limit = budgets[decision.refusedBy ?? 0]!.name;
      onRefused(limit);
      // info, not warn: under a flood this line comes with every refused operation.
      context.logger.info(
        { limit, cost, points, retryAfterMs: decision.retryAfterMs, store: decision.store },
        'operation rate limited',
      );
      throw operationRateLimitedError(limit, decision.retryAfterMs);
    },
  };
}
