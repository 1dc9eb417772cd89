// The bookkeeping both in-process limiters share (./memory.ts, ./points.ts): a map bounded to
// `maxKeys` that forgets the least recently used key first (so memory stays bounded under a flood
// of distinct keys), swept every so often of the keys that no longer hold anything, on a clock that
// never runs backwards (a wall-clock adjustment would otherwise refill or drain counters).

export interface ExpiringLruOptions {
  /** Most keys kept (default 100 000). */
  maxKeys?: number;
  /** How often (at most) `now()` also sweeps every expired key. Default 10 s. */
  sweepIntervalMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export class ExpiringLru<V> {
  // Map order is insertion order, so re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, V>();
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private readonly clock: () => number;
  private lastNow = 0;
  private nextSweepAt = 0;

  /** `expired(value, now)` tells the sweep which keys to forget. */
  constructor(
    options: ExpiringLruOptions,
    private readonly expired: (value: V, now: number) => boolean,
  ) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
    this.clock = options.now ?? Date.now;
    if (!Number.isSafeInteger(this.maxKeys) || this.maxKeys < 1) {
      throw new RangeError('maxKeys must be a positive integer');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The current time, never earlier than the last; sweeps expired keys when one is due. */
  now(): number {
    const now = Math.max(this.clock(), this.lastNow);
    this.lastNow = now;
    if (now >= this.nextSweepAt) {
      this.nextSweepAt = now + this.sweepIntervalMs;
      for (const [key, value] of this.entries) if (this.expired(value, now)) this.entries.delete(key);
    }
    return now;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Stores the value as the most recently used, forgetting the least recently used beyond maxKeys. */
  touch(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxKeys) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
