// Rate limiting: how many times a key (a client address, an account...) may do something within a
// sliding window. One interface, two stores: Redis (shared by every process) and in-process memory
// (one process; also what the Redis limiter falls back to while Redis is unreachable).

/** What to allow: at most `limit` units per key in any window of `windowMs` milliseconds. */
export interface RateLimitRule {
  /** Units allowed per window (an integer ≥ 1). */
  limit: number;
  /** The sliding window in milliseconds (an integer ≥ 1). */
  windowMs: number;
  /**
   * Units this call consumes (an integer ≥ 1, default 1): a request carrying ten sign-in attempts
   * costs ten. All or nothing: a refused call consumes nothing.
   */
  cost?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Units still available in the current window after this call (0 when nothing is left). */
  remaining: number;
  /**
   * 0 when allowed. When refused: milliseconds until a call of the same cost would be allowed,
   * assuming nothing else consumes meanwhile (≥ 1; the whole window for a cost above the limit,
   * which can never pass).
   */
  retryAfterMs: number;
  /** Which store decided: `memory` for a Redis limiter means it fell back because Redis was unreachable. */
  store: 'redis' | 'memory';
}

export interface RateLimiter {
  /** The store this limiter is built on (a Redis limiter's decisions may still come from its fallback). */
  readonly store: 'redis' | 'memory';
  /**
   * Counts `cost` units against `key` if they fit in the window, atomically: concurrent calls for
   * one key, from any number of processes sharing the store, never allow more than `limit`.
   * Never rejects because the store is unreachable (the Redis limiter falls back instead); throws
   * a RangeError for an invalid rule, which is a programming error.
   * Use one rule per key: the same key consumed under different windows is not meaningful.
   */
  consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Whether the store can be reached right now (memory: always). */
  readonly connected: boolean;
  /**
   * Waits until the store is reachable, at most `timeoutMs`, and resolves whether it is; never
   * rejects. A process that just started awaits it so that its first calls already use Redis.
   */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Asks the store; rejects naming the reason when it does not answer (memory: always resolves). */
  check(): Promise<void>;
  /** Releases connections and timers. Consuming after close falls back (Redis) or still works (memory). */
  close(): Promise<void>;
}

/** Validates a rule and returns its cost; a RangeError names what is wrong. */
export function ruleCost(rule: RateLimitRule): number {
  const cost = rule.cost ?? 1;
  const check = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`rate limit ${name} must be a positive integer, got ${String(value)}`);
    }
  };
  check('limit', rule.limit);
  check('windowMs', rule.windowMs);
  check('cost', cost);
  return cost;
}
