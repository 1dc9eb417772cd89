// Points budgets: the one contract against memory (fake clock) and real Redis (REDIS_URL, default
// 127.0.0.1:6379, keys under a prefix unique to this run, deleted at the end), plus what only one
// store has: bounded memory, and falling back when Redis is unreachable.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  createPointsLimiter,
  MemoryPointsLimiter,
  RedisPointsLimiter,
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

const PREFIX = `flow-test:points:${randomUUID()}:`;
const noFallback = failingFallback('points limiter');

function redisLimiter() {
  return whenConnected(
    new RedisPointsLimiter({ url: REDIS_URL, logger: silent, keyPrefix: PREFIX, fallback: noFallback }),
  );
}

describe('MemoryPointsLimiter: the shared contract', () => {
  pointsLimiterContract({
    store: 'memory',
    create: async () => {
      let now = 1_700_000_000_000;
      const limiter = new MemoryPointsLimiter({ now: () => now });
      return {
        limiters: [limiter, limiter],
        tick: async () => {
          now += 5;
        },
        close: () => limiter.close(),
      };
    },
  });
});

describe('RedisPointsLimiter: the shared contract', () => {
  let admin: Redis;
  beforeAll(async () => {
    admin = await connectAdmin();
  });
  afterAll(() => deleteKeysAndQuit(admin, PREFIX));

  pointsLimiterContract({
    store: 'redis',
    create: async () => {
      const limiters: [PointsLimiter, PointsLimiter] = [await redisLimiter(), await redisLimiter()];
      return {
        limiters,
        tick: () => new Promise((resolve) => setTimeout(resolve, 5)),
        close: async () => {
          await Promise.all(limiters.map((l) => l.close()));
        },
      };
    },
  });

  it('keeps one short-lived string per bucket', async () => {
    const limiter = await redisLimiter();
    try {
      const key = `shape:${randomUUID()}`;
      await limiter.consume([{ key, rule: { points: 60, periodMs: 60_000 } }], 30);
      expect(await admin.type(PREFIX + key)).toBe('string');
      const ttl = await admin.pttl(PREFIX + key);
      expect(ttl).toBeGreaterThan(25_000); // full again 30 s later, then forgotten
      expect(ttl).toBeLessThanOrEqual(30_001);
    } finally {
      await limiter.close();
    }
  });
});

describe('MemoryPointsLimiter: bounded memory', () => {
  it('forgets buckets that are full again, and never holds more than maxKeys', () => {
    let now = 1_000_000;
    const limiter = new MemoryPointsLimiter({ now: () => now, sweepIntervalMs: 1000, maxKeys: 100 });
    const rule = { points: 10, periodMs: 1000 }; // 100 ms a point
    limiter.consumeNow([{ key: 'blocked', rule }], 10);
    for (let i = 0; i < 1000; i += 1) {
      limiter.consumeNow([{ key: `flood-${i}`, rule }], 1);
      if (i % 10 === 0) expect(limiter.consumeNow([{ key: 'blocked', rule }], 1).allowed).toBe(false);
    }
    expect(limiter.size).toBe(100);
    now += 1000;
    limiter.consumeNow([{ key: 'late', rule }], 1); // sweeps: every bucket is full again
    expect(limiter.size).toBe(1);
  });
});

describe('RedisPointsLimiter: falling back when Redis is unreachable', () => {
  it('decides in memory, at once, when nothing listens', async () => {
    const port = await closedPort();
    const reasons: string[] = [];
    const limiter = createPointsLimiter({
      redisUrl: `redis://127.0.0.1:${port}`,
      logger: silent,
      onFallback: (reason) => reasons.push(reason),
    });
    try {
      expect(limiter.store).toBe('redis');
      expect(await limiter.ready(300)).toBe(false);
      const bucket = { key: 'addr', rule: { points: 2, periodMs: 60_000 } };
      const started = Date.now();
      expect(await limiter.consume([bucket], 2)).toMatchObject({ allowed: true, store: 'memory' });
      expect(await limiter.consume([bucket], 1)).toMatchObject({ allowed: false, store: 'memory' });
      expect(Date.now() - started).toBeLessThan(100);
      expect(reasons).toEqual(['not_connected', 'not_connected']);
    } finally {
      await limiter.close();
    }
  });

  it('is in memory without a Redis URL', () => {
    expect(createPointsLimiter({ logger: silent }).store).toBe('memory');
  });
});
