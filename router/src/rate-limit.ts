// Sign-in throttling per client address, before any subgraph is called: the root mutation fields
// that take credentials or create sessions share one budget per address (LOGIN_RATE_LIMIT_PER_MINUTE
// over a sliding minute). Each such field in an operation counts: ten aliased `login`s cost ten.
// users throttles per account as well (failed attempts, lockout); this guards against one address
// trying many accounts, or flooding the password hashing.
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import { addressKey, type Logger } from '@flow/core';
import { createRateLimiter, type RateLimiter } from '@flow/rate-limit';
import type { RouterConfig } from './env';
import { rateLimitedError } from './rate-limited-error';

export { addressKey };

/** Root mutation fields that count against an address's sign-in budget. */
export const THROTTLED_MUTATIONS: ReadonlySet<string> = new Set([
  'login',
  'registerOrganization',
  'refreshSession',
]);

export const SIGN_IN_WINDOW_MS = 60_000;

/**
 * How many throttled root fields the operation executes. Fields are collected the way graphql-js
 * executes them: fragments and inline fragments expanded, and selections with the same response
 * name merged (they run once). `@skip`/`@include` are not evaluated: such a field counts.
 */
export function countThrottledFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  fields: ReadonlySet<string> = THROTTLED_MUTATIONS,
): number {
  if (operation.operation !== 'mutation') return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const responseNames = new Map<string, string>();
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        responseNames.set(selection.alias?.value ?? selection.name.value, selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value); // a fragment spread twice adds the same fields twice: merged
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  let count = 0;
  for (const name of responseNames.values()) if (fields.has(name)) count += 1;
  return count;
}

export interface SignInThrottle {
  /** Throws the 429 RATE_LIMITED error when the operation is over the address's budget. */
  check(input: {
    document: DocumentNode;
    operation: OperationDefinitionNode;
    clientAddress: string | null;
    logger: Logger;
  }): Promise<void>;
  /** The same budget for attempts made outside GraphQL (POST /oauth/token): throws RATE_LIMITED. */
  checkAttempts(input: { attempts: number; clientAddress: string | null; logger: Logger }): Promise<void>;
}

export function createSignInThrottle(options: {
  limiter: RateLimiter;
  limitPerMinute: number;
  onRefused?: () => void;
}): SignInThrottle {
  const { limiter, limitPerMinute, onRefused = () => {} } = options;
  return {
    check({ document, operation, clientAddress, logger }) {
      return this.checkAttempts({
        attempts: countThrottledFields(document, operation),
        clientAddress,
        logger,
      });
    },
    async checkAttempts({ attempts: cost, clientAddress, logger }) {
      if (cost === 0) return;
      const key = `sign-in:${addressKey(clientAddress)}`;
      let decision;
      try {
        decision = await limiter.consume(key, { limit: limitPerMinute, windowMs: SIGN_IN_WINDOW_MS, cost });
      } catch (error) {
        // A limiter bug must not lock everyone out, nor reach the client as an internal error.
        logger.error({ err: error }, 'sign-in throttle failed; letting the operation through');
        return;
      }
      if (decision.allowed) return;
      onRefused();
      // info, not warn: under attack this line comes with every refused request.
      logger.info(
        { clientAddress, attempts: cost, retryAfterMs: decision.retryAfterMs, store: decision.store },
        'sign-in attempts throttled for this address',
      );
      throw rateLimitedError(decision.retryAfterMs);
    },
  };
}

/**
 * The sign-in throttle the configuration asks for, with its metrics; none when
 * LOGIN_RATE_LIMIT_PER_MINUTE is 0. With Redis its counters are shared by every router; while Redis
 * is unreachable each router counts on its own (RedisRateLimiter falls back), so sign-in keeps
 * working. A Redis outage therefore does not make the router unready: /health/ready reports it as
 * "degraded", and it shows in flow_router_rate_limit_redis_up and in warnings.
 */
export function signInThrottleFromConfig(
  config: Pick<RouterConfig, 'signInRateLimitPerMinute' | 'redis'>,
  logger: Logger,
  registry: Registry,
  refused: Counter<'reason'>,
): { limiter?: RateLimiter; throttle?: SignInThrottle } {
  if (config.signInRateLimitPerMinute <= 0) return {};
  const fallbacks = config.redis
    ? new Counter({
        name: 'flow_router_rate_limit_fallback_total',
        help: 'Sign-in throttle decisions made in process because Redis could not answer, by reason',
        labelNames: ['reason'] as const,
        registers: [registry],
      })
    : undefined;
  const limiter = createRateLimiter({
    redisUrl: config.redis?.url,
    keyPrefix: config.redis ? `${config.redis.keyPrefix}rate-limit:` : undefined,
    connectionName: `flow-router:${process.pid}`,
    logger: logger.child({ component: 'rate-limit' }),
    onFallback: (reason) => fallbacks?.inc({ reason }),
  });
  if (config.redis) {
    new Gauge({
      name: 'flow_router_rate_limit_redis_up',
      help: '1 while the sign-in throttle reaches Redis, 0 while it counts in process',
      registers: [registry],
      collect() {
        this.set(limiter.connected ? 1 : 0);
      },
    });
  }
  const throttle = createSignInThrottle({
    limiter,
    limitPerMinute: config.signInRateLimitPerMinute,
    onRefused: () => refused.inc({ reason: 'rate_limited' }),
  });
  return { limiter, throttle };
}
