// What the Redis limiter suites (rate-limit.redis.test.ts, points.test.ts) share: the real Redis
// (REDIS_URL, default 127.0.0.1:6379), a fallback that fails the test, connecting or failing (never
// skipping) when Redis is unreachable, deleting a run's keys, and a port nothing listens on.
import net from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const silent = pino({ level: 'silent' });

/** A fallback that fails the test: the contract must be met by Redis itself. */
export function failingFallback(limiterName: string) {
  return {
    store: 'memory' as const,
    connected: true,
    ready: async () => true,
    check: async () => {},
    close: async () => {},
    consume: async (): Promise<never> => {
      throw new Error(`the Redis ${limiterName} fell back to memory: is Redis reachable?`);
    },
    refund: async (): Promise<never> => {
      throw new Error(`the Redis ${limiterName} gave points back to memory: is Redis reachable?`);
    },
  };
}

/** The limiter once connected; closes it and throws when Redis does not answer within 5 s. */
export async function whenConnected<
  L extends { ready(timeoutMs?: number): Promise<boolean>; close(): Promise<void> },
>(limiter: L): Promise<L> {
  if (!(await limiter.ready(5000))) {
    await limiter.close();
    throw new Error(`Redis at ${REDIS_URL} is unreachable: these tests need it`);
  }
  return limiter;
}

/** A direct connection to inspect keys; rejects (the suite fails) when Redis is unreachable. */
export async function connectAdmin(): Promise<Redis> {
  const admin = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0 });
  await admin.connect();
  return admin;
}

/** Deletes every key under `prefix`, then disconnects. */
export async function deleteKeysAndQuit(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
