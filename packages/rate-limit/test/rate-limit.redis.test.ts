// RedisRateLimiter against the real Redis (REDIS_URL, default 127.0.0.1:6379): the shared contract,
// several processes sharing counters, and what happens when Redis is gone or hangs. Fails, never
// skips, when Redis is unreachable. Every key lives under a prefix unique to this run, deleted at the end.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { RedisRateLimiter, type RateLimitDecision, type RateLimitFallbackReason } from '../src/rate-limit';
import { rateLimiterContract } from './rate-limit.contract';
import {
  closedPort,
  connectAdmin,
  deleteKeysAndQuit,
  failingFallback,
  REDIS_URL,
  silent,
  whenConnected,
} from './redis-limiter-support';

const PREFIX = `flow-test:rate-limit:${randomUUID()}:`;
const noFallback = failingFallback('limiter');

let admin: Redis;

function connectedLimiter(options: Partial<ConstructorParameters<typeof RedisRateLimiter>[0]> = {}) {
  return whenConnected(
    new RedisRateLimiter({
      url: REDIS_URL,
      logger: silent,
      keyPrefix: PREFIX,
      fallback: noFallback,
      ...options,
    }),
  );
}

beforeAll(async () => {
  admin = await connectAdmin(); // rejects (the suite fails) when Redis is unreachable
});

afterAll(() => deleteKeysAndQuit(admin, PREFIX));

describe('RedisRateLimiter: the shared contract', () => {
  rateLimiterContract({ create: () => connectedLimiter(), store: 'redis' });
});

describe('RedisRateLimiter: shared counters', () => {
  it('counts across processes: two connections never allow more than the limit together', async () => {
    const first = await connectedLimiter();
    const second = await connectedLimiter();
    try {
      const rule = { limit: 10, windowMs: 10_000 };
      const key = `shared:${randomUUID()}`;
      const decisions = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? first : second).consume(key, rule)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('stores each key under the prefix, expiring with its window', async () => {
    const limiter = await connectedLimiter();
    try {
      const key = `ttl:${randomUUID()}`;
      await limiter.consume(key, { limit: 5, windowMs: 4000, cost: 2 });
      expect(await admin.zcard(`${PREFIX}${key}`)).toBe(2);
      const ttl = await admin.pttl(`${PREFIX}${key}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(4000);
    } finally {
      await limiter.close();
    }
  });

  it('reloads its script after SCRIPT FLUSH-like loss (NOSCRIPT)', async () => {
    // Simulated without flushing the server's cache (other suites share this Redis): a fresh
    // server would answer NOSCRIPT to the first EVALSHA; the limiter must then EVAL it.
    const limiter = await connectedLimiter();
    try {
      const client = (limiter as unknown as { client: Redis }).client;
      const evalsha = jest
        .spyOn(client, 'evalsha')
        .mockRejectedValueOnce(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      const decision = await limiter.consume(`noscript:${randomUUID()}`, { limit: 1, windowMs: 1000 });
      expect(decision).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, store: 'redis' });
      expect(evalsha).toHaveBeenCalledTimes(1);
      evalsha.mockRestore();
    } finally {
      await limiter.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Redis gone or hanging: decisions come from memory, fast, and a warning is logged.

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/**
 * A fake Redis: `mode: 'silent'` accepts connections and never answers; `mode: 'hang-scripts'`
 * answers the connection handshake (INFO, CLIENT, PING...) but never EVAL/EVALSHA, like a
 * Redis stuck on a slow command.
 */
async function fakeRedis(mode: 'silent' | 'hang-scripts') {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (mode === 'silent') return;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const parsed = parseCommand(buffer);
        if (!parsed) break;
        buffer = buffer.slice(parsed.consumed);
        const name = parsed.args[0]?.toLowerCase();
        if (name === 'eval' || name === 'evalsha') continue;
        if (name === 'info') {
          const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${info.length}\r\n${info}\r\n`);
        } else if (name === 'ping') socket.write('+PONG\r\n');
        else if (name === 'quit') socket.end('+OK\r\n');
        else socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A TCP proxy to `target` that can be stopped (dropping every connection) and started again. */
async function tcpProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const start = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  };
  const stop = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => closing.close(resolve));
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

/** One RESP array of bulk strings from the start of `buffer`, or null if incomplete. */
function parseCommand(buffer: string): { args: string[]; consumed: number } | null {
  if (!buffer.startsWith('*')) return buffer.length > 0 ? { args: [], consumed: buffer.length } : null;
  let offset = buffer.indexOf('\r\n');
  if (offset < 0) return null;
  const count = Number(buffer.slice(1, offset));
  offset += 2;
  const args: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const end = buffer.indexOf('\r\n', offset);
    if (end < 0) return null;
    const length = Number(buffer.slice(offset + 1, end));
    if (buffer.length < end + 2 + length + 2) return null;
    args.push(buffer.slice(end + 2, end + 2 + length));
    offset = end + 2 + length + 2;
  }
  return { args, consumed: offset };
}

async function timed(action: () => Promise<RateLimitDecision>) {
  const started = Date.now();
  const decision = await action();
  return { decision, ms: Date.now() - started };
}

describe('RedisRateLimiter: falling back when Redis is unreachable', () => {
  it('decides in memory, at once, when nothing listens on the port; warns once; closes fast', async () => {
    const { logger, lines } = capturingLogger();
    const reasons: RateLimitFallbackReason[] = [];
    const limiter = new RedisRateLimiter({
      url: `redis://:s3cret@127.0.0.1:${await closedPort()}`,
      logger,
      keyPrefix: PREFIX,
      onFallback: (reason) => reasons.push(reason),
    });
    try {
      expect(await limiter.ready(300)).toBe(false);
      expect(limiter.connected).toBe(false);
      await expect(limiter.check()).rejects.toThrow(/not connected/);

      const rule = { limit: 2, windowMs: 10_000 };
      const first = await timed(() => limiter.consume('addr', rule));
      expect(first.decision).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0, store: 'memory' });
      expect(first.ms).toBeLessThan(100);
      expect((await limiter.consume('addr', rule)).allowed).toBe(true);
      // The fallback still limits.
      const third = await limiter.consume('addr', rule);
      expect(third).toMatchObject({ allowed: false, store: 'memory' });
      expect(third.retryAfterMs).toBeGreaterThan(0);

      expect(reasons).toEqual(['not_connected', 'not_connected', 'not_connected']);
      const warnings = lines.filter((line) => line.level === 40);
      expect(warnings).toHaveLength(1); // one per 30 s, however many calls or reconnection errors
      expect(JSON.stringify(lines)).not.toContain('s3cret');
      expect(warnings[0]?.redis).toMatch(/^redis:\/\/:\*\*\*@127\.0\.0\.1:\d+$/);
    } finally {
      const started = Date.now();
      await limiter.close();
      expect(Date.now() - started).toBeLessThan(500);
    }
  });

  it('does not wait on a server that accepts connections but never answers', async () => {
    const fake = await fakeRedis('silent');
    const limiter = new RedisRateLimiter({ url: fake.url, logger: silent, connectTimeoutMs: 300 });
    try {
      const { decision, ms } = await timed(() => limiter.consume('addr', { limit: 1, windowMs: 1000 }));
      expect(decision.store).toBe('memory');
      expect(ms).toBeLessThan(100);
    } finally {
      await limiter.close();
      await fake.stop();
    }
  });

  it('times out a hung command, then stops asking Redis for a while', async () => {
    const fake = await fakeRedis('hang-scripts');
    const reasons: RateLimitFallbackReason[] = [];
    const limiter = new RedisRateLimiter({
      url: fake.url,
      logger: silent,
      commandTimeoutMs: 200,
      backoffMs: 60_000,
      onFallback: (reason) => reasons.push(reason),
    });
    try {
      expect(await limiter.ready(2000)).toBe(true);
      const rule = { limit: 1, windowMs: 10_000 };
      const hung = await timed(() => limiter.consume('addr', rule));
      expect(hung.decision).toMatchObject({ allowed: true, store: 'memory' });
      expect(hung.ms).toBeGreaterThanOrEqual(150);
      expect(hung.ms).toBeLessThan(1500);
      const next = await timed(() => limiter.consume('addr', rule));
      expect(next.decision).toMatchObject({ allowed: false, store: 'memory' });
      expect(next.ms).toBeLessThan(100);
      expect(reasons).toEqual(['command_failed', 'backing_off']);
    } finally {
      await limiter.close();
      await fake.stop();
    }
  });

  it('falls back while Redis is away and uses it again once it is back', async () => {
    const proxy = await tcpProxy(new URL(REDIS_URL));
    const { logger, lines } = capturingLogger();
    const limiter = new RedisRateLimiter({ url: proxy.url, logger, keyPrefix: PREFIX });
    const rule = { limit: 100, windowMs: 10_000 };
    const key = `outage:${randomUUID()}`;
    try {
      expect(await limiter.ready(5000)).toBe(true);
      expect((await limiter.consume(key, rule)).store).toBe('redis');

      await proxy.stop(); // Redis "goes away"
      const during = await timed(() => limiter.consume(key, rule));
      expect(during.decision).toMatchObject({ allowed: true, store: 'memory' });
      expect(during.ms).toBeLessThan(600);

      await proxy.start(); // back on the same address: the client reconnects by itself
      expect(await limiter.ready(5000)).toBe(true);
      const after = await limiter.consume(key, rule);
      expect(after).toMatchObject({ allowed: true, store: 'redis', remaining: 98 }); // 2 counted in Redis
      expect(lines.some((line) => line.msg === 'rate limiter: Redis reachable again')).toBe(true);
    } finally {
      await limiter.close();
      await proxy.stop();
    }
  });
});
