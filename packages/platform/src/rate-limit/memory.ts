// The in-process store: a sliding-window log per key, for a single process (no REDIS_URL) and as
// the Redis limiter's fallback. JavaScript runs one call at a time, so each consume is atomic.
import { ruleCost, type RateLimitDecision, type RateLimiter, type RateLimitRule } from './types';

export interface MemoryRateLimiterOptions {
  /**
   * Most keys kept at once (default 100 000). Beyond it the least recently used key is forgotten,
   * which gives that key a fresh window: memory stays bounded even under a flood of distinct keys.
   */
  maxKeys?: number;
  /** How often (at most) a consume also sweeps every key whose window has passed. Default 10 s. */
  sweepIntervalMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

interface Entry {
  /** Times of allowed units, oldest first; never longer than the rule's limit. */
  hits: number[];
  windowMs: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly store = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private readonly clock: () => number;
  private lastNow = 0;
  private nextSweepAt = 0;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
    this.clock = options.now ?? Date.now;
    if (!Number.isSafeInteger(this.maxKeys) || this.maxKeys < 1) {
      throw new RangeError('maxKeys must be a positive integer');
    }
  }

  /** Keys currently held (expired ones disappear at the next sweep). */
  get size(): number {
    return this.entries.size;
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    return this.consumeNow(key, rule);
  }

  /** The synchronous core of consume. */
  consumeNow(key: string, rule: RateLimitRule): RateLimitDecision {
    const cost = ruleCost(rule);
    const { limit, windowMs } = rule;
    // Never let time run backwards (a wall-clock adjustment would otherwise unsort the log).
    const now = Math.max(this.clock(), this.lastNow);
    this.lastNow = now;
    if (now >= this.nextSweepAt) this.sweep(now);

    let entry = this.entries.get(key);
    if (entry) {
      let expired = 0;
      while (expired < entry.hits.length && entry.hits[expired]! <= now - windowMs) expired += 1;
      if (expired > 0) entry.hits.splice(0, expired);
      entry.windowMs = windowMs;
    }
    const count = entry?.hits.length ?? 0;

    if (count + cost <= limit) {
      if (!entry) entry = { hits: [], windowMs };
      for (let i = 0; i < cost; i += 1) entry.hits.push(now);
      this.touch(key, entry);
      return { allowed: true, remaining: limit - count - cost, retryAfterMs: 0, store: 'memory' };
    }

    // A refused key is touched too: a client being refused must not regain a fresh window by
    // flooding other keys until its own is evicted.
    if (entry && count > 0) this.touch(key, entry);
    else this.entries.delete(key);
    const retryAfterMs =
      cost > limit ? windowMs : Math.max(1, entry!.hits[count + cost - limit - 1]! + windowMs - now);
    return { allowed: false, remaining: Math.max(0, limit - count), retryAfterMs, store: 'memory' };
  }

  /** Re-inserts the key (Map order is then least recently used first) and evicts beyond maxKeys. */
  private touch(key: string, entry: Entry) {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets every key whose newest unit has left its window. */
  private sweep(now: number) {
    this.nextSweepAt = now + this.sweepIntervalMs;
    for (const [key, entry] of this.entries) {
      const newest = entry.hits.at(-1);
      if (newest === undefined || newest <= now - entry.windowMs) this.entries.delete(key);
    }
  }

  readonly connected = true;

  async ready(): Promise<boolean> {
    return true;
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
  }
}
