// Leased points budgets (points-leases.ts) on the real Redis (REDIS_URL, default 127.0.0.1:6379,
// keys under a prefix unique to this run, deleted at the end): the shared contract with leases as
// large as they can be, then what leasing itself promises — fewer round trips, never more than the
// budget across processes, exact refusals, unused points given back.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  LeasedPointsLimiter,
  MemoryPointsLimiter,
  RedisPointsLimiter,
  type PointsBucket,
  type PointsLimiter,
} from '../src/rate-limit';
import { pointsLimiterContract } from './points.contract';
import {
  closedPort,
  connectAdmin,
  deleteKeysAndQuit,
  failingFallback,
  REDIS_URL,
  silent,
  whenConnected,
} from './redis-limiter-support';

const PREFIX = `flow-test:leases:${randomUUID()}:`;
/** So slow a bucket refills nothing while a test runs: one point a day's ten-thousandth (8.6 s). */
const DAY_MS = 86_400_000;
const budget = (name: string, capacity: number): PointsBucket => ({
  key: `${name}:${randomUUID()}`,
  rule: { points: capacity, periodMs: DAY_MS },
});

/** The shared limiter, with its calls counted. */
function counted(limiter: PointsLimiter) {
  const calls = { consume: 0, refund: 0 };
  const wrapper: PointsLimiter = {
    get store() {
      return limiter.store;
    },
    get connected() {
      return limiter.connected;
    },
    consume: (buckets, cost) => {
      calls.consume += 1;
      return limiter.consume(buckets, cost);
    },
    refund: (buckets, points, grantedBy) => {
      calls.refund += 1;
      return limiter.refund(buckets, points, grantedBy);
    },
    ready: (timeoutMs) => limiter.ready(timeoutMs),
    check: () => limiter.check(),
    close: () => limiter.close(),
  };
  return { wrapper, calls };
}

const redisLimiter = () =>
  whenConnected(
    new RedisPointsLimiter({
      url: REDIS_URL,
      logger: silent,
      keyPrefix: PREFIX,
      fallback: failingFallback('points limiter'),
    }),
  );

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let admin: Redis;
let observer: RedisPointsLimiter;
/** Whole points left in Redis, leases counted as spent (a cost of 0 spends nothing). */
const leftInRedis = async (bucket: PointsBucket) => (await observer.consume([bucket], 0)).remaining;

beforeAll(async () => {
  admin = await connectAdmin();
  observer = await redisLimiter();
});
afterAll(async () => {
  await observer.close();
  await deleteKeysAndQuit(admin, PREFIX);
});

describe('LeasedPointsLimiter: the shared contract, every lease as large as a budget', () => {
  pointsLimiterContract({
    store: 'redis',
    create: async () => {
      const limiters: [PointsLimiter, PointsLimiter] = [
        new LeasedPointsLimiter(await redisLimiter(), { leaseShare: 1 }),
        new LeasedPointsLimiter(await redisLimiter(), { leaseShare: 1 }),
      ];
      return {
        limiters,
        tick: () => new Promise((resolve) => setTimeout(resolve, 5)),
        close: async () => {
          await Promise.all(limiters.map((l) => l.close()));
        },
      };
    },
  });
});

describe('LeasedPointsLimiter', () => {
  const opened: LeasedPointsLimiter[] = [];
  const leased = async (options: ConstructorParameters<typeof LeasedPointsLimiter>[1] = {}) => {
    const shared = counted(await redisLimiter());
    const limiter = new LeasedPointsLimiter(shared.wrapper, options);
    opened.push(limiter);
    return { limiter, calls: shared.calls };
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((l) => l.close()));
  });

  it('asks a caller seen once for its cost only, and never leases a small budget', async () => {
    const { limiter, calls } = await leased();
    const big = budget('once', 10_000);
    expect(await limiter.consume([big], 10)).toMatchObject({
      allowed: true,
      remaining: 9990,
      store: 'redis',
    });
    expect(await leftInRedis(big)).toBe(9990);
    const small = budget('small', 30); // 5 % is 1 point: under two calls' cost
    for (let i = 0; i < 10; i += 1) expect((await limiter.consume([small], 1)).allowed).toBe(true);
    expect(calls.consume).toBe(11);
    expect(await leftInRedis(small)).toBe(20);
    expect(limiter.leasedPoints).toBe(0);
  });

  it('spends a caller’s calls from leases, with a few round trips, and Redis holds them as spent', async () => {
    const { limiter, calls } = await leased();
    const bucket = budget('lease', 10_000); // leases of 500 points
    for (let i = 0; i < 100; i += 1) expect((await limiter.consume([bucket], 10)).allowed).toBe(true);
    expect(calls.consume).toBeLessThanOrEqual(6);
    await until(
      async () => (await leftInRedis(bucket)) + limiter.leasedPoints === 9000,
      'Redis to count every lease as spent',
    );
    expect(limiter.leasedPoints).toBeGreaterThan(0);
  });

  it('never lets two processes’ calls spend more than the budget, and refuses exactly at its end', async () => {
    const [a, b] = [await leased(), await leased()];
    const bucket = budget('two', 2000); // leases of 100 points
    let allowed = 0;
    let refusedInARow = 0;
    while (refusedInARow < 40) {
      const decisions = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).limiter.consume([bucket], 1)),
      );
      for (const decision of decisions) {
        if (decision.allowed) {
          allowed += 1;
          refusedInARow = 0;
        } else {
          refusedInARow += 1;
          expect(decision.retryAfterMs).toBeGreaterThan(0);
          expect(decision.refusedBy).toBe(0);
        }
      }
    }
    expect(allowed).toBe(2000);
    expect(a.limiter.leasedPoints + b.limiter.leasedPoints).toBe(0);
    expect(await leftInRedis(bucket)).toBe(0);
  });

  it('spends from several buckets all or nothing: a lease stops at the smallest', async () => {
    const { limiter } = await leased();
    const user = budget('user', 10_000);
    const org = budget('org', 300); // leases of 15 points
    let allowed = 0;
    for (let i = 0; i < 400; i += 1) if ((await limiter.consume([user, org], 1)).allowed) allowed += 1;
    expect(allowed).toBe(300);
    expect(await leftInRedis(org)).toBe(0);
    expect(await leftInRedis(user)).toBe(10_000 - 300);
  });

  it('gives unused leased points back once the lease’s life is over', async () => {
    const { limiter, calls } = await leased({ leaseTtlMs: 200 });
    const bucket = budget('back', 10_000);
    await limiter.consume([bucket], 10);
    await limiter.consume([bucket], 10); // a lease of 500 comes with it
    expect(limiter.leasedPoints).toBe(500);
    expect(await leftInRedis(bucket)).toBe(10_000 - 520);
    await until(async () => (await leftInRedis(bucket)) === 10_000 - 20, 'the lease to go back');
    expect(limiter.leasedPoints).toBe(0);
    expect(calls.refund).toBe(1);
    await until(async () => limiter.size === 0, 'the quiet caller’s lease to be dropped');
  });

  it('gives leased points back when it closes', async () => {
    const { limiter } = await leased();
    const bucket = budget('close', 10_000);
    await limiter.consume([bucket], 5);
    await limiter.consume([bucket], 5);
    expect(await leftInRedis(bucket)).toBe(10_000 - 510);
    await limiter.close();
    expect(await leftInRedis(bucket)).toBe(10_000 - 10);
  });

  it('with Redis unreachable, leases from the fallback and gives them back to it', async () => {
    const fallback = new MemoryPointsLimiter();
    const port = await closedPort();
    const shared = new RedisPointsLimiter({
      url: `redis://127.0.0.1:${port}`,
      logger: silent,
      keyPrefix: PREFIX,
      fallback,
    });
    const limiter = new LeasedPointsLimiter(shared);
    const bucket = budget('fallback', 10_000);
    try {
      expect(await limiter.consume([bucket], 10)).toMatchObject({ allowed: true, store: 'memory' });
      expect(await limiter.consume([bucket], 10)).toMatchObject({ allowed: true, store: 'memory' });
      expect(limiter.leasedPoints).toBe(500);
      expect((await fallback.consume([bucket], 0)).remaining).toBe(10_000 - 520);
      const stillThere = fallback.close.bind(fallback);
      fallback.close = async () => {
        // The lease has gone back to memory before the fallback closes.
        expect((await fallback.consume([bucket], 0)).remaining).toBe(10_000 - 20);
        await stillThere();
      };
    } finally {
      await limiter.close();
    }
  });
});
