// The one contract every PointsLimiter passes (memory and Redis alike). Not a test file by itself:
// points.test.ts runs it against each store.
import { randomUUID } from 'node:crypto';
import type { PointsLimiter, PointsRule } from '../src/rate-limit';

export interface PointsFixture {
  /** Two limiters on one store (for memory: the same instance twice). */
  limiters: [PointsLimiter, PointsLimiter];
  /** Lets a little time pass: the fake clock moves (memory) or a few real milliseconds go by (Redis). */
  tick: () => Promise<void>;
  close: () => Promise<void>;
}

export interface PointsContractOptions {
  create: () => Promise<PointsFixture>;
  store: 'redis' | 'memory';
}

export function pointsLimiterContract({ create, store }: PointsContractOptions): void {
  let fixture: PointsFixture;
  let limiter: PointsLimiter;
  const key = (name: string) => `${name}:${randomUUID()}`;
  const slow = (points: number, burst = points): PointsRule => ({ points, periodMs: 3_600_000, burst });

  beforeEach(async () => {
    fixture = await create();
    limiter = fixture.limiters[0];
  });

  afterEach(async () => {
    await fixture.close();
  });

  it('is reachable', async () => {
    expect(limiter.store).toBe(store);
    await expect(limiter.ready(1000)).resolves.toBe(true);
    await expect(limiter.check()).resolves.toBeUndefined();
  });

  it('allows a full burst, then refuses with the time one point takes to come back', async () => {
    const bucket = { key: key('burst'), rule: { points: 5, periodMs: 60_000 } }; // 12 s a point
    const decisions = [];
    for (let i = 0; i < 5; i += 1) decisions.push(await limiter.consume([bucket], 1));
    expect(decisions.map((d) => [d.allowed, d.remaining, d.store])).toEqual([
      [true, 4, store],
      [true, 3, store],
      [true, 2, store],
      [true, 1, store],
      [true, 0, store],
    ]);
    const refused = await limiter.consume([bucket], 1);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, refusedBy: 0, store });
    expect(refused.retryAfterMs).toBeGreaterThan(11_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(12_000);
    const again = await limiter.consume([bucket], 1);
    expect(again.allowed).toBe(false);
    expect(again.retryAfterMs).toBeLessThanOrEqual(refused.retryAfterMs); // refusals spend nothing
  });

  it('spends a cost all or nothing', async () => {
    const bucket = { key: key('cost'), rule: slow(10) };
    expect(await limiter.consume([bucket], 7)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await limiter.consume([bucket], 4)).toMatchObject({ allowed: false, remaining: 3 });
    expect(await limiter.consume([bucket], 3)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume([bucket], 0)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refuses a cost above the capacity, spending nothing', async () => {
    const bucket = { key: key('too-costly'), rule: slow(100, 10) };
    const refused = await limiter.consume([bucket], 11);
    expect(refused).toMatchObject({ allowed: false, remaining: 10, refusedBy: 0 });
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(1);
    expect(await limiter.consume([bucket], 10)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('spends from several buckets all or nothing, naming the one that refused', async () => {
    const user = { key: key('user'), rule: slow(10) };
    const address = { key: key('address'), rule: slow(3) };
    expect(await limiter.consume([user, address], 2)).toMatchObject({ allowed: true, remaining: 1 });
    const refused = await limiter.consume([user, address], 2);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 1 });
    // The user's bucket kept its 8 points: the refused call spent nothing there either.
    expect(await limiter.consume([user], 8)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.consume([user, address], 1)).toMatchObject({ allowed: false, refusedBy: 0 });
  });

  it('takes back unused points, never beyond a full bucket', async () => {
    const user = { key: key('refund-user'), rule: slow(10) };
    const address = { key: key('refund-address'), rule: slow(20) };
    expect(await limiter.consume([user, address], 7)).toMatchObject({ allowed: true, remaining: 3 });
    await limiter.refund([user, address], 3, store);
    expect(await limiter.consume([user], 0)).toMatchObject({ remaining: 6 });
    expect(await limiter.consume([address], 0)).toMatchObject({ remaining: 16 });
    await limiter.refund([user, address], 100, store);
    expect(await limiter.consume([user], 0)).toMatchObject({ remaining: 10 });
    expect(await limiter.consume([address], 0)).toMatchObject({ remaining: 20 });
    const untouched = { key: key('refund-untouched'), rule: slow(5) };
    await limiter.refund([untouched], 5, store);
    expect(await limiter.consume([untouched], 6)).toMatchObject({ allowed: false, remaining: 5 });
  });

  it('keeps keys independent', async () => {
    const a = { key: key('a'), rule: slow(1) };
    const b = { key: key('b'), rule: slow(1) };
    expect((await limiter.consume([a], 1)).allowed).toBe(true);
    expect((await limiter.consume([a], 1)).allowed).toBe(false);
    expect((await limiter.consume([b], 1)).allowed).toBe(true);
  });

  it('never lets concurrent consumers on two limiters exceed the budget', async () => {
    const [first, second] = fixture.limiters;
    const bucket = { key: key('concurrent'), rule: slow(20) };
    const ones = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? first : second).consume([bucket], 1)),
    );
    expect(ones.filter((d) => d.allowed)).toHaveLength(20);
    expect(ones.every((d) => d.store === store)).toBe(true);

    const costly = { key: key('concurrent-cost'), rule: slow(20) };
    const threes = await Promise.all(
      Array.from({ length: 25 }, (_, i) => (i % 2 ? first : second).consume([costly], 3)),
    );
    expect(threes.filter((d) => d.allowed)).toHaveLength(6); // 18 points; a seventh would make 21
    expect(await first.consume([costly], 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refills at the configured rate, one point at a time', async () => {
    const bucket = { key: key('refill'), rule: { points: 5, periodMs: 2000 } }; // 400 ms a point
    for (let i = 0; i < 5; i += 1) expect((await limiter.consume([bucket], 1)).allowed).toBe(true);
    const refused = await limiter.consume([bucket], 1);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(400);
    let polls = 0;
    for (;;) {
      const decision = await limiter.consume([bucket], 1); // a refusal spends nothing: safe to poll
      if (decision.allowed) {
        expect(decision.remaining).toBe(0);
        break;
      }
      polls += 1;
      if (polls > 2000) throw new Error('the bucket never refilled');
      await fixture.tick();
    }
    const next = await limiter.consume([bucket], 1);
    expect(next.allowed).toBe(false); // only one point came back
    expect(next.retryAfterMs).toBeGreaterThan(0);
    expect(next.retryAfterMs).toBeLessThanOrEqual(400);
  });

  it('refuses invalid rules and costs with a RangeError', async () => {
    const k = key('invalid');
    await expect(limiter.consume([{ key: k, rule: { points: 0, periodMs: 1000 } }], 1)).rejects.toThrow(
      RangeError,
    );
    await expect(limiter.consume([{ key: k, rule: { points: 1, periodMs: 1.5 } }], 1)).rejects.toThrow(
      /periodMs/,
    );
    await expect(limiter.consume([{ key: k, rule: slow(1) }], -1)).rejects.toThrow(RangeError);
    await expect(limiter.consume([{ key: k, rule: slow(1) }], Number.NaN)).rejects.toThrow(RangeError);
  });
}
