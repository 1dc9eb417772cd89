// The shared store: one sorted set per key (a sliding-window log), updated by one Lua script so
// that concurrent calls from any number of processes cannot exceed the limit. Time comes from the
// Redis server (TIME), so every process shares one clock.
//
// When Redis cannot answer (not connected yet, down, or slower than the command timeout) the call
// is decided by an in-process limiter instead and a warning is logged (at most once per 30 s):
// sign-in keeps working and no internal error reaches a client. Each process then counts on its
// own, so N processes allow up to N times the limit until Redis is back. Nothing waits on a dead
// Redis: no offline queue (a call while disconnected falls back at once), a short command timeout,
// and after a failed call the next few seconds skip Redis altogether; reconnection runs in the
// background.
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { MemoryRateLimiter } from './memory';
import { ruleCost, type RateLimitDecision, type RateLimiter, type RateLimitRule } from './types';

// KEYS[1]: the key. ARGV: limit, windowMs, cost, a unique id for this call's members.
// Returns { allowed (1/0), remaining, retryAfterMs }. Refused calls add nothing.
const SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost <= limit then
  for i = 1, cost do
    redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i)
  end
  redis.call('PEXPIRE', KEYS[1], window)
  return { 1, limit - count - cost, 0 }
end
if cost > limit then
  return { 0, limit - count, window }
end
local index = count + cost - limit - 1
local entry = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')
local retry = tonumber(entry[2]) + window - now
if retry < 1 then retry = 1 end
return { 0, limit - count, retry }
`;
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'flow:rate-limit:';

/**
 * Why a decision came from the fallback: not connected; a call to Redis just failed or timed out;
 * or one did within the last few seconds (the limiter then stops waiting on a hung Redis for a while).
 */
export type RateLimitFallbackReason = 'not_connected' | 'command_failed' | 'backing_off';

export interface RedisRateLimiterOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  logger: Logger;
  /** Prepended to every key (default `flow:rate-limit:`). */
  keyPrefix?: string;
  /** The connection's name in Redis `CLIENT LIST` (default `flow-rate-limit`). */
  connectionName?: string;
  /** Deadline of one connection attempt (default 1000 ms). Reconnection goes on in the background. */
  connectTimeoutMs?: number;
  /** Deadline of one rate-limit call to Redis before falling back (default 500 ms). */
  commandTimeoutMs?: number;
  /** After a failed or timed-out call, how long to decide without asking Redis (default 5000 ms). */
  backoffMs?: number;
  /** Decides while Redis cannot (default: a MemoryRateLimiter). */
  fallback?: RateLimiter;
  /** Called each time a decision comes from the fallback (for a metric). */
  onFallback?: (reason: RateLimitFallbackReason) => void;
}

const WARN_EVERY_MS = 30_000;

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

export class RedisRateLimiter implements RateLimiter {
  readonly store = 'redis' as const;
  private readonly client: Redis;
  private readonly logger: Logger;
  private readonly keyPrefix: string;
  private readonly fallback: RateLimiter;
  private readonly onFallback: (reason: RateLimitFallbackReason) => void;
  private readonly where: string;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private readonly backoffMs: number;
  private degraded = false;
  private skipRedisUntil = 0;
  private closing: Promise<void> | undefined;

  constructor(options: RedisRateLimiterOptions) {
    this.logger = options.logger;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_RATE_LIMIT_KEY_PREFIX;
    this.fallback = options.fallback ?? new MemoryRateLimiter();
    this.onFallback = options.onFallback ?? (() => {});
    this.where = redactRedisUrl(options.url);
    this.backoffMs = options.backoffMs ?? 5000;
    this.client = new Redis(options.url, {
      connectionName: options.connectionName ?? 'flow-rate-limit',
      connectTimeout: options.connectTimeoutMs ?? 1000,
      commandTimeout: options.commandTimeoutMs ?? 500,
      // Fail fast instead of queueing: a call made while disconnected falls back at once, and a
      // call in flight when the connection drops is not retried later.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Keep reconnecting in the background, at most every 2 s.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      // On close, a socket that does not end by itself is destroyed after this long. ioredis arms
      // this timer even for a socket that is already gone, which would keep the process alive.
      disconnectTimeout: 200,
    });
    this.client.on('error', (error: Error) => {
      this.degraded = true;
      this.warn({ err: error }, 'rate limiter: Redis connection error');
    });
    this.client.on('ready', () => {
      if (this.degraded) this.logger.info({ redis: this.where }, 'rate limiter: Redis reachable again');
      else this.logger.debug({ redis: this.where }, 'rate limiter: Redis connected');
      this.degraded = false;
      this.skipRedisUntil = 0;
      this.lastWarnedAt = Number.NEGATIVE_INFINITY;
    });
  }

  /** Whether calls go to Redis right now. */
  get connected(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Waits until connected, at most `timeoutMs`; resolves whether it is. Never rejects. Lets a
   * process that just started count in Redis from its first request.
   */
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

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const cost = ruleCost(rule);
    if (!this.connected) return this.fallBack(key, rule, 'not_connected');
    if (Date.now() < this.skipRedisUntil) return this.fallBack(key, rule, 'backing_off');
    const args = [String(rule.limit), String(rule.windowMs), String(cost), randomUUID()];
    const redisKey = this.keyPrefix + key;
    try {
      let reply: unknown;
      try {
        reply = await this.client.evalsha(SCRIPT_SHA, 1, redisKey, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        reply = await this.client.eval(SCRIPT, 1, redisKey, ...args);
      }
      if (!Array.isArray(reply) || reply.length !== 3) {
        throw new Error(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
      }
      const [allowed, remaining, retryAfterMs] = reply.map(Number) as [number, number, number];
      return { allowed: allowed === 1, remaining: Math.max(0, remaining), retryAfterMs, store: 'redis' };
    } catch (error) {
      this.skipRedisUntil = Date.now() + this.backoffMs;
      return this.fallBack(key, rule, 'command_failed', error);
    }
  }

  private fallBack(
    key: string,
    rule: RateLimitRule,
    reason: RateLimitFallbackReason,
    error?: unknown,
  ): Promise<RateLimitDecision> {
    this.degraded = true;
    this.onFallback(reason);
    this.warn(
      { reason, status: this.client.status, ...(error ? { err: error } : {}) },
      'rate limiter: Redis unavailable, counting in this process only',
    );
    return this.fallback.consume(key, rule);
  }

  /** Warnings while Redis is away: at most one per 30 s, so an outage does not flood the logs. */
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

  /** Quits politely when connected (at most 1 s), then drops the connection and stops reconnecting. */
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
      if (this.client.status !== 'end') this.client.disconnect(); // also stops reconnecting
      await this.fallback.close();
    })();
    return this.closing;
  }
}
