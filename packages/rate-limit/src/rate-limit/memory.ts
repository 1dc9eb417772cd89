// The in-process store: a sliding-window log per key, for a single process (no REDIS_URL) and as
// the Redis limiter's fallback. JavaScript runs one call at a time, so each consume is atomic.
import { ExpiringLru } from './expiring-lru';
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
  private readonly entries: ExpiringLru<Entry>;

  constructor(options: MemoryRateLimiterOptions = {}) {
    // Forgets every key whose newest unit has left its window.
    this.entries = new ExpiringLru<Entry>(options, (entry, now) => {
      const newest = entry.hits.at(-1);
      return newest === undefined || newest <= now - entry.windowMs;
    });
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
    // Never runs backwards (a wall-clock adjustment would otherwise unsort the log).
    const now = this.entries.now();

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
      this.entries.touch(key, entry);
      return { allowed: true, remaining: limit - count - cost, retryAfterMs: 0, store: 'memory' };
    }

    // A refused key is touched too: a client being refused must not regain a fresh window by
    // flooding other keys until its own is evicted.
    if (entry && count > 0) this.entries.touch(key, entry);
    else this.entries.delete(key);
    const retryAfterMs =
      cost > limit ? windowMs : Math.max(1, entry!.hits[count + cost - limit - 1]! + windowMs - now);
    return { allowed: false, remaining: Math.max(0, limit - count), retryAfterMs, store: 'memory' };
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
