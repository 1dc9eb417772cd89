/**
 * A cache of at most `maxEntries` values, each until its own expiry (epoch ms): the least recently
 * used entry makes room for a new one. For values that are costly to compute and safe to reuse
 * until they expire (a verified token's claims, a distance between two fixed points); a size of
 * 0 caches nothing.
 */
export class BoundedCache<Key, Value> {
  private readonly entries = new Map<Key, { value: Value; expiresAt: number }>();

  constructor(readonly maxEntries: number) {}

  get(key: Key, now = Date.now()): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: Key, value: Value, expiresAt: number): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as Key);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
