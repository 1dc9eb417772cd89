/**
 * A least-recently-used map bounded by the total size of its values in bytes, not by their
 * number: a few huge entries cannot hold more memory than the bound, however few they are. The
 * caller gives each entry's size; an entry larger than the whole bound is not kept at all.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    /** Called after every change with the new total (for a metric). */
    private readonly onChange: (bytes: number, entries: number) => void = () => {},
  ) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` (replacing any entry under `key`) and evicts the least recently used beyond the bound. */
  set(key: string, value: V, bytes: number): void {
    this.remove(key);
    if (bytes <= this.maxBytes) {
      this.entries.set(key, { value, bytes });
      this.total += bytes;
      for (const [oldest, entry] of this.entries) {
        if (this.total <= this.maxBytes) break;
        this.entries.delete(oldest);
        this.total -= entry.bytes;
      }
    }
    this.onChange(this.total, this.entries.size);
  }

  delete(key: string): boolean {
    const found = this.entries.has(key);
    this.remove(key);
    if (found) this.onChange(this.total, this.entries.size);
    return found;
  }

  private remove(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }
}
