// The one contract every RateLimiter passes (memory and Redis alike). Not a test file by itself:
// rate-limit.memory.test.ts and rate-limit.redis.test.ts run it against their implementation.
import { randomUUID } from 'node:crypto';
import type { RateLimiter } from '../src/rate-limit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ContractOptions {
  /** Makes a limiter; called once per test. */
  create: () => Promise<RateLimiter>;
  /** The store every decision must come from (a Redis limiter must not have fallen back). */
  store: 'redis' | 'memory';
}

export function rateLimiterContract({ create, store }: ContractOptions): void {
  let limiter: RateLimiter;
  const key = (name: string) => `${name}:${randomUUID()}`;

  beforeEach(async () => {
    limiter = await create();
  });

  afterEach(async () => {
    await limiter.close();
  });

  it('is reachable', async () => {
    expect(limiter.store).toBe(store);
    await expect(limiter.ready(1000)).resolves.toBe(true);
    expect(limiter.connected).toBe(true);
    await expect(limiter.check()).resolves.toBeUndefined();
  });

  it('allows up to the limit, then refuses with a retryAfterMs within the window', async () => {
    const k = key('up-to-limit');
    const rule = { limit: 3, windowMs: 10_000 };
    const started = Date.now();
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push(await limiter.consume(k, rule));
    expect(decisions).toEqual([
      { allowed: true, remaining: 2, retryAfterMs: 0, store },
      { allowed: true, remaining: 1, retryAfterMs: 0, store },
      { allowed: true, remaining: 0, retryAfterMs: 0, store },
    ]);
    const refused = await limiter.consume(k, rule);
    const elapsed = Date.now() - started;
    expect(refused).toMatchObject({ allowed: false, remaining: 0, store });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
    // The first unit was counted at most `elapsed` ago (plus a little clock skew with Redis).
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(10_000 - elapsed - 50);
    // Refused again: refusals do not move the window, they do not consume either.
    const again = await limiter.consume(k, rule);
    expect(again.allowed).toBe(false);
    expect(again.retryAfterMs).toBeLessThanOrEqual(refused.retryAfterMs);
  });

  it('keeps keys independent', async () => {
    const a = key('a');
    const b = key('b');
    const rule = { limit: 1, windowMs: 10_000 };
    expect((await limiter.consume(a, rule)).allowed).toBe(true);
    expect((await limiter.consume(a, rule)).allowed).toBe(false);
    expect((await limiter.consume(b, rule)).allowed).toBe(true);
    expect((await limiter.consume(b, rule)).allowed).toBe(false);
  });

  it('frees the window up again once it has passed', async () => {
    const k = key('frees-up');
    const rule = { limit: 2, windowMs: 300 };
    expect((await limiter.consume(k, rule)).allowed).toBe(true);
    expect((await limiter.consume(k, rule)).allowed).toBe(true);
    const refused = await limiter.consume(k, rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
    await sleep(refused.retryAfterMs + 50);
    const later = await limiter.consume(k, rule);
    expect(later).toMatchObject({ allowed: true, store });
  });

  it('slides: only the units that left the window are freed', async () => {
    const k = key('slides');
    const rule = { limit: 2, windowMs: 1500 };
    expect((await limiter.consume(k, rule)).allowed).toBe(true); // t0
    await sleep(700);
    expect((await limiter.consume(k, rule)).allowed).toBe(true); // t0 + 700
    const refused = await limiter.consume(k, rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1500 - 700 + 50);
    await sleep(refused.retryAfterMs + 50); // the first unit has left, the second has ~650 ms to go
    expect((await limiter.consume(k, rule)).allowed).toBe(true);
    const second = await limiter.consume(k, rule);
    expect(second.allowed).toBe(false);
    expect(second.retryAfterMs).toBeGreaterThan(100);
  });

  it('charges a cost all or nothing', async () => {
    const k = key('cost');
    const rule = { limit: 5, windowMs: 10_000 };
    expect(await limiter.consume(k, { ...rule, cost: 3 })).toMatchObject({ allowed: true, remaining: 2 });
    const refused = await limiter.consume(k, { ...rule, cost: 3 });
    expect(refused).toMatchObject({ allowed: false, remaining: 2 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(await limiter.consume(k, { ...rule, cost: 2 })).toMatchObject({ allowed: true, remaining: 0 });
    // A cost above the limit can never pass: refused, retry after a whole window.
    const impossible = await limiter.consume(key('cost-too-high'), { ...rule, cost: 6 });
    expect(impossible).toMatchObject({ allowed: false, remaining: 5, retryAfterMs: 10_000 });
  });

  it('allows exactly `limit` of many concurrent calls for one key', async () => {
    const k = key('concurrent');
    const rule = { limit: 7, windowMs: 10_000 };
    const decisions = await Promise.all(Array.from({ length: 40 }, () => limiter.consume(k, rule)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    expect(decisions.every((d) => d.store === store)).toBe(true);
    expect((await limiter.consume(k, rule)).allowed).toBe(false);
  });

  it('allows exactly `limit` units of concurrent calls with costs', async () => {
    const k = key('concurrent-cost');
    const rule = { limit: 10, windowMs: 10_000, cost: 3 };
    const decisions = await Promise.all(Array.from({ length: 12 }, () => limiter.consume(k, rule)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3); // 9 units; a fourth would make 12
    expect(await limiter.consume(k, { ...rule, cost: 1 })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refuses invalid rules with a RangeError', async () => {
    const k = key('invalid');
    await expect(limiter.consume(k, { limit: 0, windowMs: 1000 })).rejects.toThrow(RangeError);
    await expect(limiter.consume(k, { limit: 1, windowMs: 1.5 })).rejects.toThrow(RangeError);
    await expect(limiter.consume(k, { limit: 1, windowMs: 1000, cost: 0 })).rejects.toThrow(RangeError);
    await expect(limiter.consume(k, { limit: Number.NaN, windowMs: 1000 })).rejects.toThrow(/limit/);
  });
}
