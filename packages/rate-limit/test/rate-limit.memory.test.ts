import pino from 'pino';
import { createRateLimiter, MemoryRateLimiter, RedisRateLimiter } from '../src/rate-limit';
import { rateLimiterContract } from './rate-limit.contract';

describe('MemoryRateLimiter: the shared contract', () => {
  rateLimiterContract({ create: async () => new MemoryRateLimiter(), store: 'memory' });
});

describe('MemoryRateLimiter: bounded memory', () => {
  it('forgets keys whose window has passed', () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter({ now: () => now, sweepIntervalMs: 1000 });
    const rule = { limit: 2, windowMs: 5000 };
    for (let i = 0; i < 500; i += 1) limiter.consumeNow(`addr-${i}`, rule);
    expect(limiter.size).toBe(500);
    now += 4999;
    limiter.consumeNow('late', rule); // sweeps; every window still open
    expect(limiter.size).toBe(501);
    now += 1;
    limiter.consumeNow('later', rule); // the sweep interval has not passed yet
    now += 1000;
    limiter.consumeNow('latest', rule); // sweeps: the first 500 keys are gone
    expect(limiter.size).toBe(3);
  });

  it('never holds more than maxKeys, dropping the least recently used', () => {
    const limiter = new MemoryRateLimiter({ maxKeys: 100 });
    const rule = { limit: 1, windowMs: 60_000 };
    limiter.consumeNow('blocked', rule);
    for (let i = 0; i < 1000; i += 1) {
      limiter.consumeNow(`flood-${i}`, rule);
      // Refused, and kept: flooding other keys does not buy the refused client a fresh window.
      if (i % 50 === 0) expect(limiter.consumeNow('blocked', rule).allowed).toBe(false);
    }
    expect(limiter.size).toBe(100);
    expect(limiter.consumeNow('blocked', rule).allowed).toBe(false);
    expect(limiter.consumeNow('flood-999', rule).allowed).toBe(false);
    expect(limiter.consumeNow('flood-0', rule).allowed).toBe(true); // evicted long ago
  });

  it('does not drop a key that is refused', () => {
    const limiter = new MemoryRateLimiter();
    const rule = { limit: 1, windowMs: 60_000 };
    limiter.consumeNow('k', rule);
    expect(limiter.consumeNow('k', rule).allowed).toBe(false);
    expect(limiter.size).toBe(1);
  });

  it('keeps its log ordered when the wall clock steps back', () => {
    let now = 10_000;
    const limiter = new MemoryRateLimiter({ now: () => now });
    const rule = { limit: 2, windowMs: 1000 };
    expect(limiter.consumeNow('k', rule).allowed).toBe(true);
    now -= 5000;
    expect(limiter.consumeNow('k', rule).allowed).toBe(true);
    expect(limiter.consumeNow('k', rule)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    now = 11_000; // a window after the (clamped) time of both units
    expect(limiter.consumeNow('k', rule).allowed).toBe(true);
  });

  it('rejects a nonsensical maxKeys', () => {
    expect(() => new MemoryRateLimiter({ maxKeys: 0 })).toThrow(RangeError);
  });
});

describe('createRateLimiter', () => {
  const logger = pino({ level: 'silent' });

  it('counts in memory without a Redis URL (or with an empty one)', async () => {
    expect(createRateLimiter({ logger })).toBeInstanceOf(MemoryRateLimiter);
    expect(createRateLimiter({ logger, redisUrl: '' })).toBeInstanceOf(MemoryRateLimiter);
  });

  it('counts in Redis with a URL', async () => {
    const limiter = createRateLimiter({ logger, redisUrl: 'redis://127.0.0.1:6379' });
    try {
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      expect(limiter.store).toBe('redis');
    } finally {
      await limiter.close();
    }
  });
});
