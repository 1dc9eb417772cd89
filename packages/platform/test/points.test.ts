// Points budgets: the one contract against memory (fake clock) and real Redis (REDIS_URL, default
// 127.0.0.1:6379, keys under a prefix unique to this run, deleted at the end), plus what only one
// store has: bounded memory, and falling back when Redis is unreachable.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import {
  createPointsLimiter,
  MemoryPointsLimiter,
  RedisPointsLimiter,
  type PointsLimiter,
} from '../src/rate-limit';
import { pointsLimiterContract } from './points.contract';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `flow-test:points:${randomUUID()}:`;
const silent = pino({ level: 'silent' });

/** A fallback that fails the test: the contract must be met by Redis itself. */
const noFallback: PointsLimiter = {
  store: 'memory',
  connected: true,
  ready: async () => true,
  check: async () => {},
  close: async () => {},
  consume: async () => {
    throw new Error('the Redis points limiter fell back to memory: is Redis reachable?');
  },
};

async function redisLimiter() {
  const limiter = new RedisPointsLimiter({
    url: REDIS_URL,
    logger: silent,
    keyPrefix: PREFIX,
    fallback: noFallback,
  });
  if (!(await limiter.ready(5000))) {
    await limiter.close();
    throw new Error(`Redis at ${REDIS_URL} is unreachable: these tests need it`);
  }
  return limiter;
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
    admin = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0 });
    await admin.connect();
  });
  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await admin.quit();
  });

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
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
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
