// Points budgets spent in process from leases: a caller who keeps calling has a few seconds' worth
// of points taken ahead of need from the shared limiter (Redis), all or nothing across the call's
// buckets as any call, and spends them here without a round trip. The round trip was a tenth of
// the router's CPU per operation and a Redis wait in every answer (README "Performance → Router").
//
// What stays true:
// - Never more than a budget allows, across any number of processes: a lease is spent from the
//   shared buckets before any of it is used here.
// - A refusal is exact: when a lease cannot be had, the call asks the shared limiter for its own
//   cost, as without leases.
// - Points leased and not used within `leaseTtlMs` go back to the shared buckets (refund), so a
//   caller who stops is charged only what it used; a caller is ahead of its record by one lease
//   for at most that long.
// - Small budgets (a lease under two calls' cost) and callers seen once are never leased.
import { checkCost, gcraOf, type PointsBucket, type PointsDecision, type PointsLimiter } from './points';

export interface LeasedPointsLimiterOptions {
  /** The share of the smallest bucket's capacity one lease takes (default 0.05). */
  leaseShare?: number;
  /** How long leased points wait to be used before they go back (default 2000 ms). */
  leaseTtlMs?: number;
  /** Leases held at once (default 10 000): beyond it, calls go to the shared limiter. */
  maxLeases?: number;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
}

interface Lease {
  readonly buckets: readonly PointsBucket[];
  /** Points one grant adds. */
  readonly size: number;
  /** Points spendable here. */
  points: number;
  /** The store that granted them (a Redis limiter's fallback is `memory`). */
  store: 'redis' | 'memory';
  /** The shared limiter's last word on the emptiest bucket, leases aside. */
  remaining: number;
  grantedAt: number;
  calledAt: number;
  /** Not leased before this: the last grant was refused (the budget is nearly spent). */
  exactUntil: number;
  /** A grant in flight. */
  granting?: Promise<void>;
}

export class LeasedPointsLimiter implements PointsLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly share: number;
  private readonly ttlMs: number;
  private readonly maxLeases: number;
  private readonly clock: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly shared: PointsLimiter,
    options: LeasedPointsLimiterOptions = {},
  ) {
    this.share = options.leaseShare ?? 0.05;
    this.ttlMs = options.leaseTtlMs ?? 2000;
    this.maxLeases = options.maxLeases ?? 10_000;
    this.clock = options.now ?? Date.now;
    if (!(this.share > 0 && this.share <= 1)) throw new RangeError('leaseShare must be in (0, 1]');
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, this.ttlMs / 2));
    this.sweeper.unref();
  }

  get store(): 'redis' | 'memory' {
    return this.shared.store;
  }

  get connected(): boolean {
    return this.shared.connected;
  }

  /** Leases held (for tests and metrics). */
  get size(): number {
    return this.leases.size;
  }

  /** Points held here, not yet used, across leases. */
  get leasedPoints(): number {
    let total = 0;
    for (const lease of this.leases.values()) total += lease.points;
    return total;
  }

  async consume(buckets: readonly PointsBucket[], cost: number): Promise<PointsDecision> {
    checkCost(cost);
    const size = this.leaseSize(buckets, cost);
    if (size === 0 || this.closing) return this.shared.consume(buckets, cost);
    const key = leaseKey(buckets);
    let lease = this.leases.get(key);
    if (lease?.granting && lease.points < cost) await lease.granting;
    if (lease && lease.points >= cost) return this.spend(lease, cost);
    const now = this.clock();
    if (!lease) {
      if (this.leases.size >= this.maxLeases) return this.shared.consume(buckets, cost);
      // Seen once: asked exactly. A second call within the lease's life takes a lease.
      lease = {
        buckets,
        size,
        points: 0,
        store: this.shared.store,
        remaining: 0,
        grantedAt: now,
        calledAt: now,
        exactUntil: 0,
      };
      this.leases.set(key, lease);
      return this.exact(lease, cost);
    }
    const recent = now - lease.calledAt <= this.ttlMs;
    lease.calledAt = now;
    if (!recent || now < lease.exactUntil || lease.granting) return this.exact(lease, cost);
    let decision: PointsDecision | undefined;
    lease.granting = (async () => {
      decision = await this.shared.consume(buckets, cost + size);
      if (decision.allowed) this.granted(lease, size, decision);
      else lease.exactUntil = this.clock() + this.ttlMs;
    })().finally(() => {
      lease.granting = undefined;
    });
    await lease.granting;
    if (decision!.allowed) return { ...decision!, remaining: decision!.remaining + lease.points };
    return this.exact(lease, cost);
  }

  async refund(
    buckets: readonly PointsBucket[],
    points: number,
    grantedBy: 'redis' | 'memory',
  ): Promise<void> {
    return this.shared.refund(buckets, points, grantedBy);
  }

  ready(timeoutMs?: number): Promise<boolean> {
    return this.shared.ready(timeoutMs);
  }

  check(): Promise<void> {
    return this.shared.check();
  }

  /** Gives every lease's unused points back, then closes the shared limiter. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweeper);
      await Promise.all([...this.leases.values()].map((lease) => lease.granting));
      await Promise.all([...this.leases.values()].map((lease) => this.giveBack(lease)));
      this.leases.clear();
      await this.shared.close();
    })();
    return this.closing;
  }

  /** Points one lease takes: none when that would be under two calls' cost. */
  private leaseSize(buckets: readonly PointsBucket[], cost: number): number {
    if (buckets.length === 0 || cost === 0) return 0;
    let capacity = Number.POSITIVE_INFINITY;
    for (const bucket of buckets) capacity = Math.min(capacity, gcraOf(bucket.rule).burst);
    const size = Math.floor(capacity * this.share);
    return size >= 2 * cost ? size : 0;
  }

  private spend(lease: Lease, cost: number): PointsDecision {
    lease.points -= cost;
    lease.calledAt = this.clock();
    if (lease.points < lease.size / 2) this.topUp(lease);
    return {
      allowed: true,
      remaining: lease.remaining + lease.points,
      retryAfterMs: 0,
      refusedBy: null,
      store: lease.store,
    };
  }

  /** Asks for the call's own cost, as without leases. */
  private async exact(lease: Lease, cost: number): Promise<PointsDecision> {
    const decision = await this.shared.consume(lease.buckets, cost);
    if (decision.allowed) lease.remaining = decision.remaining;
    return decision;
  }

  /** Takes the next lease in the background, before this one runs out. */
  private topUp(lease: Lease): void {
    if (lease.granting || this.closing || this.clock() < lease.exactUntil) return;
    lease.granting = this.shared
      .consume(lease.buckets, lease.size)
      .then((decision) => {
        if (decision.allowed) this.granted(lease, lease.size, decision);
        else lease.exactUntil = this.clock() + this.ttlMs;
      })
      .catch(() => undefined)
      .finally(() => {
        lease.granting = undefined;
      });
  }

  private granted(lease: Lease, size: number, decision: PointsDecision): void {
    // Points from another store (Redis, then its fallback) cannot go back to one place: the old
    // ones go back to where they came from first.
    if (lease.points > 0 && lease.store !== decision.store) void this.giveBack(lease);
    lease.points += size;
    lease.store = decision.store;
    lease.remaining = decision.remaining;
    lease.grantedAt = this.clock();
  }

  private giveBack(lease: Lease): Promise<void> {
    const points = lease.points;
    lease.points = 0;
    return points > 0 ? this.shared.refund(lease.buckets, points, lease.store) : Promise.resolve();
  }

  /** Leased points unused for the lease's life go back; leases of callers gone quiet are dropped. */
  private sweep(): void {
    const now = this.clock();
    for (const [key, lease] of this.leases) {
      if (lease.granting) continue;
      if (lease.points > 0 && now - lease.grantedAt >= this.ttlMs) void this.giveBack(lease);
      if (lease.points === 0 && now - lease.calledAt > this.ttlMs) this.leases.delete(key);
    }
  }
}

/** One lease per combination of buckets and rules (a trust multiplier changes the rules). */
function leaseKey(buckets: readonly PointsBucket[]): string {
  let key = '';
  for (const { key: name, rule } of buckets)
    key += `${name}\u0000${rule.points}/${rule.periodMs}/${rule.burst ?? ''}\n`;
  return key;
}
