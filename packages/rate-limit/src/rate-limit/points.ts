// Points budgets: each key holds a bucket of points that refills at a steady rate, and each call
// spends a cost (an operation's estimated cost, say) from one or several buckets at once, all or
// nothing. Implemented as GCRA (the generic cell rate algorithm): a bucket is one number, its
// "theoretical arrival time" (TAT), the instant at which it will be full again. That makes a
// decision O(1) in time and memory per key, whatever the rate: a sliding-window log (./memory.ts)
// would store one entry per point, which does not scale to thousands of points a minute.
import { ExpiringLru } from './expiring-lru';

/** How fast a bucket refills and how much it holds. */
export interface PointsRule {
  /** Points restored per period: the sustained rate (an integer ≥ 1). */
  points: number;
  /** The period in milliseconds (an integer ≥ 1). */
  periodMs: number;
  /** The bucket's capacity: most points spendable at once, after a quiet spell (default `points`). */
  burst?: number;
}

export interface PointsBucket {
  key: string;
  rule: PointsRule;
}

export interface PointsDecision {
  allowed: boolean;
  /** Whole points left after this call in the emptiest bucket (for a refusal: before it). */
  remaining: number;
  /**
   * 0 when allowed. When refused: milliseconds until a call of the same cost would pass, if
   * nothing else spends meanwhile (≥ 1). A cost above a bucket's capacity can never pass: then it
   * is the time until that bucket is full again.
   */
  retryAfterMs: number;
  /** The index (in the call's buckets) of the bucket that refused, the one with the longest wait. */
  refusedBy: number | null;
  /** Which store decided: `memory` for a Redis limiter means it fell back. */
  store: 'redis' | 'memory';
}

export interface PointsLimiter {
  readonly store: 'redis' | 'memory';
  /**
   * Spends `cost` points from every bucket if every bucket has them, atomically: concurrent calls,
   * from any number of processes sharing the store, never spend more than a bucket allows. A
   * refused call spends nothing anywhere. Never rejects because the store is unreachable (Redis
   * falls back to memory); throws a RangeError for an invalid rule or cost (a programming error).
   */
  consume(buckets: readonly PointsBucket[], cost: number): Promise<PointsDecision>;
  /**
   * Gives back points a call spent and nobody used (the rest of a lease: ./points-leases.ts) to
   * every bucket: as if that much had never been spent, so a bucket already full again gains
   * nothing. `grantedBy`: the store whose decision spent them (a Redis limiter hands points its
   * fallback granted back to the fallback). Never rejects: points it cannot give back stay spent.
   */
  refund(buckets: readonly PointsBucket[], points: number, grantedBy: 'redis' | 'memory'): Promise<void>;
  readonly connected: boolean;
  /** Waits until the store is reachable, at most `timeoutMs`; resolves whether it is. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Rejects naming the reason when the store does not answer (memory: always resolves). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** A bucket's GCRA parameters: the time one point takes to come back, and the bucket's capacity. */
export interface Gcra {
  intervalMs: number;
  burst: number;
}

/** Validates a call; a RangeError names what is wrong. */
export function gcraOf(rule: PointsRule): Gcra {
  const burst = rule.burst ?? rule.points;
  for (const [name, value] of [
    ['points', rule.points],
    ['periodMs', rule.periodMs],
    ['burst', burst],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`points rule ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return { intervalMs: rule.periodMs / rule.points, burst };
}

export function checkCost(cost: number): void {
  if (!Number.isFinite(cost) || cost < 0) {
    throw new RangeError(`points cost must be a finite number ≥ 0, got ${String(cost)}`);
  }
}

/** One bucket's verdict at `now` given its stored TAT (the same arithmetic as the Redis script). */
export function judge(storedTat: number | undefined, gcra: Gcra, cost: number, now: number) {
  const tat = Math.max(storedTat ?? now, now);
  const capacity = gcra.burst * gcra.intervalMs;
  const newTat = tat + cost * gcra.intervalMs;
  const allowAt = newTat - capacity;
  if (cost > gcra.burst) {
    const left = Math.floor((capacity - (tat - now)) / gcra.intervalMs + 1e-9);
    return { allowed: false, waitMs: Math.max(1, Math.ceil(tat - now)), remaining: left, newTat: tat };
  }
  if (allowAt > now) {
    const left = Math.floor((capacity - (tat - now)) / gcra.intervalMs + 1e-9);
    return { allowed: false, waitMs: Math.max(1, Math.ceil(allowAt - now)), remaining: left, newTat: tat };
  }
  const left = Math.floor((capacity - (newTat - now)) / gcra.intervalMs + 1e-9);
  return { allowed: true, waitMs: 0, remaining: left, newTat };
}

export interface MemoryPointsLimiterOptions {
  /** Most buckets kept (default 100 000); beyond it the least recently used is forgotten (refilled). */
  maxKeys?: number;
  /** How often (at most) a call also drops every bucket that is full again. Default 10 s. */
  sweepIntervalMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/** In one process (no REDIS_URL), and the Redis limiter's fallback. Each call runs atomically. */
export class MemoryPointsLimiter implements PointsLimiter {
  readonly store = 'memory' as const;
  readonly connected = true;
  /** Each bucket's TAT; a bucket full again (TAT passed) is forgotten at the next sweep. */
  private readonly tats: ExpiringLru<number>;

  constructor(options: MemoryPointsLimiterOptions = {}) {
    this.tats = new ExpiringLru<number>(options, (tat, now) => tat <= now);
  }

  /** Buckets currently held (full ones disappear at the next sweep). */
  get size(): number {
    return this.tats.size;
  }

  async consume(buckets: readonly PointsBucket[], cost: number): Promise<PointsDecision> {
    return this.consumeNow(buckets, cost);
  }

  consumeNow(buckets: readonly PointsBucket[], cost: number): PointsDecision {
    checkCost(cost);
    const rules = buckets.map((bucket) => gcraOf(bucket.rule));
    // Never runs backwards (a wall-clock adjustment would refill or drain buckets).
    const now = this.tats.now();
    const verdicts = buckets.map((bucket, i) => judge(this.tats.get(bucket.key), rules[i]!, cost, now));
    const decision = combine(verdicts, 'memory');
    if (decision.allowed) {
      verdicts.forEach((verdict, i) => this.tats.touch(buckets[i]!.key, verdict.newTat));
    } else {
      // A refused key is touched too: flooding other keys must not evict it into a full bucket.
      buckets.forEach((bucket) => {
        const tat = this.tats.get(bucket.key);
        if (tat !== undefined) this.tats.touch(bucket.key, tat);
      });
    }
    return decision;
  }

  async refund(buckets: readonly PointsBucket[], points: number): Promise<void> {
    checkCost(points);
    const now = this.tats.now();
    for (const bucket of buckets) {
      const tat = this.tats.get(bucket.key);
      if (tat === undefined) continue;
      const back = tat - points * gcraOf(bucket.rule).intervalMs;
      if (back > now) this.tats.touch(bucket.key, back);
      else this.tats.delete(bucket.key);
    }
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {
    this.tats.clear();
  }
}

/** The call's decision from each bucket's verdict: allowed only if every bucket allows. */
export function combine(
  verdicts: ReadonlyArray<{ allowed: boolean; waitMs: number; remaining: number }>,
  store: 'redis' | 'memory',
): PointsDecision {
  let refusedBy: number | null = null;
  let retryAfterMs = 0;
  let remaining = Number.POSITIVE_INFINITY;
  verdicts.forEach((verdict, i) => {
    remaining = Math.min(remaining, verdict.remaining);
    if (!verdict.allowed && verdict.waitMs > retryAfterMs) {
      retryAfterMs = verdict.waitMs;
      refusedBy = i;
    }
  });
  return {
    allowed: refusedBy === null,
    remaining: Number.isFinite(remaining) ? Math.max(0, remaining) : 0,
    retryAfterMs,
    refusedBy,
    store,
  };
}
