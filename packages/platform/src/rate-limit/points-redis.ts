// Points budgets in Redis: one string per bucket (its TAT, see ./points.ts), read and written by
// one Lua script, so that concurrent calls from any number of processes never overspend. Time
// comes from the Redis server (TIME): every process shares one clock.
//
// When Redis cannot answer the call is decided in process instead, exactly like the sign-in
// limiter (./redis.ts): no offline queue, a short command timeout, a few seconds of not asking
// after a failure, a warning at most every 30 s. Each process then counts on its own until Redis
// is back; nothing ever waits on a dead Redis.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import {
  checkCost,
  combine,
  gcraOf,
  MemoryPointsLimiter,
  type PointsBucket,
  type PointsDecision,
  type PointsLimiter,
} from './points';
import { redactRedisUrl, type RateLimitFallbackReason } from './redis';

// KEYS: the buckets. ARGV[1]: cost; then per bucket: ms per point, burst. Returns per bucket
// allowed (1/0), wait ms, whole points left. Writes only when every bucket allows.
const SCRIPT = `
local cost = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local result = {}
local newTats = {}
local all = true
for i = 1, #KEYS do
  local interval = tonumber(ARGV[i * 2])
  local burst = tonumber(ARGV[i * 2 + 1])
  local stored = tonumber(redis.call('GET', KEYS[i]))
  local tat = now
  if stored and stored > now then tat = stored end
  local capacity = burst * interval
  local newTat = tat + cost * interval
  local allowAt = newTat - capacity
  local allowed = 1
  local wait = 0
  local left
  if cost > burst or allowAt > now then
    allowed = 0
    all = false
    if cost > burst then wait = math.ceil(tat - now) else wait = math.ceil(allowAt - now) end
    if wait < 1 then wait = 1 end
    left = math.floor((capacity - (tat - now)) / interval + 1e-9)
  else
    left = math.floor((capacity - (newTat - now)) / interval + 1e-9)
  end
  newTats[i] = newTat
  result[#result + 1] = allowed
  result[#result + 1] = wait
  result[#result + 1] = left
end
if all then
  for i = 1, #KEYS do
    redis.call('SET', KEYS[i], string.format('%.3f', newTats[i]), 'PX', math.ceil(newTats[i] - now) + 1)
  end
end
return result
`;
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

export const DEFAULT_POINTS_KEY_PREFIX = 'flow:points:';
const WARN_EVERY_MS = 30_000;

export interface RedisPointsLimiterOptions {
  url: string;
  logger: Logger;
  /** Prepended to every key (default `flow:points:`). */
  keyPrefix?: string;
  connectionName?: string;
  connectTimeoutMs?: number;
  /** Deadline of one call to Redis before falling back (default 500 ms). */
  commandTimeoutMs?: number;
  /** After a failed call, how long to decide without asking Redis (default 5000 ms). */
  backoffMs?: number;
  fallback?: PointsLimiter;
  onFallback?: (reason: RateLimitFallbackReason) => void;
}

export class RedisPointsLimiter implements PointsLimiter {
  readonly store = 'redis' as const;
  private readonly client: Redis;
  private readonly logger: Logger;
  private readonly keyPrefix: string;
  private readonly fallback: PointsLimiter;
  private readonly onFallback: (reason: RateLimitFallbackReason) => void;
  private readonly where: string;
  private readonly backoffMs: number;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private degraded = false;
  private skipRedisUntil = 0;
  private closing: Promise<void> | undefined;

  constructor(options: RedisPointsLimiterOptions) {
    this.logger = options.logger;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_POINTS_KEY_PREFIX;
    this.fallback = options.fallback ?? new MemoryPointsLimiter();
    this.onFallback = options.onFallback ?? (() => {});
    this.where = redactRedisUrl(options.url);
    this.backoffMs = options.backoffMs ?? 5000;
    this.client = new Redis(options.url, {
      connectionName: options.connectionName ?? 'flow-points',
      connectTimeout: options.connectTimeoutMs ?? 1000,
      commandTimeout: options.commandTimeoutMs ?? 500,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      disconnectTimeout: 200,
    });
    this.client.on('error', (error: Error) => {
      this.degraded = true;
      this.warn({ err: error }, 'points limiter: Redis connection error');
    });
    this.client.on('ready', () => {
      if (this.degraded) this.logger.info({ redis: this.where }, 'points limiter: Redis reachable again');
      this.degraded = false;
      this.skipRedisUntil = 0;
      this.lastWarnedAt = Number.NEGATIVE_INFINITY;
    });
  }

  get connected(): boolean {
    return this.client.status === 'ready';
  }

  ready(timeoutMs = 2000): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    if (this.closing || this.client.status === 'end') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(value);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
    });
  }

  async consume(buckets: readonly PointsBucket[], cost: number): Promise<PointsDecision> {
    checkCost(cost);
    const rules = buckets.map((bucket) => gcraOf(bucket.rule));
    if (buckets.length === 0) return combine([], 'redis');
    if (!this.connected) return this.fallBack(buckets, cost, 'not_connected');
    if (Date.now() < this.skipRedisUntil) return this.fallBack(buckets, cost, 'backing_off');
    const keys = buckets.map((bucket) => this.keyPrefix + bucket.key);
    const args = [String(cost), ...rules.flatMap((r) => [String(r.intervalMs), String(r.burst)])];
    try {
      let reply: unknown;
      try {
        reply = await this.client.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        reply = await this.client.eval(SCRIPT, keys.length, ...keys, ...args);
      }
      if (!Array.isArray(reply) || reply.length !== keys.length * 3) {
        throw new Error(`unexpected reply from the points script: ${JSON.stringify(reply)}`);
      }
      const numbers = reply.map(Number);
      const verdicts = buckets.map((_, i) => ({
        allowed: numbers[i * 3] === 1,
        waitMs: numbers[i * 3 + 1]!,
        remaining: numbers[i * 3 + 2]!,
      }));
      return combine(verdicts, 'redis');
    } catch (error) {
      this.skipRedisUntil = Date.now() + this.backoffMs;
      return this.fallBack(buckets, cost, 'command_failed', error);
    }
  }

  private fallBack(
    buckets: readonly PointsBucket[],
    cost: number,
    reason: RateLimitFallbackReason,
    error?: unknown,
  ): Promise<PointsDecision> {
    this.degraded = true;
    this.onFallback(reason);
    this.warn(
      { reason, status: this.client.status, ...(error ? { err: error } : {}) },
      'points limiter: Redis unavailable, counting in this process only',
    );
    return this.fallback.consume(buckets, cost);
  }

  private warn(details: Record<string, unknown>, message: string) {
    if (this.closing) return;
    const now = Date.now();
    if (now - this.lastWarnedAt < WARN_EVERY_MS) return;
    this.lastWarnedAt = now;
    this.logger.warn({ redis: this.where, ...details }, message);
  }

  async check(): Promise<void> {
    if (!this.connected) throw new Error(`Redis ${this.where} is not connected (${this.client.status})`);
    await this.client.ping();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.connected) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.client.quit().catch(() => undefined),
          new Promise((resolve) => {
            timer = setTimeout(resolve, 1000);
          }),
        ]);
        clearTimeout(timer);
      }
      if (this.client.status !== 'end') this.client.disconnect();
      await this.fallback.close();
    })();
    return this.closing;
  }
}
