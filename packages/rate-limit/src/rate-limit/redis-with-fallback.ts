// The Redis connection both shared limiters use (sign-in windows in ./redis.ts, points budgets in
// ./points-redis.ts), with the policy that nothing ever waits on a dead Redis: no offline queue (a
// call while disconnected falls back at once), a short command timeout, and after a failed call
// the next few seconds skip Redis altogether; reconnection runs in the background. Each decision
// Redis cannot give is handed to the limiter's in-process fallback, with a warning logged at most
// once per 30 s so that an outage does not flood the logs.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@flow/core';

/** Loaded on first use: a process without a Redis URL (`npm start`) never pays for the client. */
const loadRedis = () => (require('ioredis') as typeof import('ioredis')).Redis;

/**
 * Why a decision came from the fallback: not connected; a call to Redis just failed or timed out;
 * or one did within the last few seconds (the limiter then stops waiting on a hung Redis for a while).
 */
export type RateLimitFallbackReason = 'not_connected' | 'command_failed' | 'backing_off';

/** The options of a Redis limiter whose in-process fallback is a `Fallback`. */
export interface RedisLimiterOptions<Fallback> {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  logger: Logger;
  /** Prepended to every key (default: the limiter's own prefix). */
  keyPrefix?: string;
  /** The connection's name in Redis `CLIENT LIST` (default: the limiter's own name). */
  connectionName?: string;
  /** Deadline of one connection attempt (default 1000 ms). Reconnection goes on in the background. */
  connectTimeoutMs?: number;
  /** Deadline of one call to Redis before falling back (default 500 ms). */
  commandTimeoutMs?: number;
  /** After a failed or timed-out call, how long to decide without asking Redis (default 5000 ms). */
  backoffMs?: number;
  /** Decides while Redis cannot (default: the in-process limiter of the same kind). */
  fallback?: Fallback;
  /** Called each time a decision comes from the fallback (for a metric). */
  onFallback?: (reason: RateLimitFallbackReason) => void;
}

/** What each limiter sets itself: its name in logs and its defaults. */
export interface RedisLimiterDefaults<Fallback> {
  /** Names the limiter in log messages (`rate limiter`, `points limiter`). */
  label: string;
  connectionName: string;
  keyPrefix: string;
  fallback: () => Fallback;
}

/** A Lua script with its SHA1, so that calls send the digest and the source only when needed. */
export interface LuaScript {
  source: string;
  sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
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

/**
 * The base of both Redis limiters: the connection and its fallback policy. A subclass implements
 * its decision with `decide(ask Redis, ask the fallback)` and `evalScript`.
 */
export abstract class RedisWithFallback<Fallback extends { close(): Promise<void> }> {
  readonly store = 'redis' as const;
  protected readonly client: Redis;
  protected readonly keyPrefix: string;
  protected readonly fallback: Fallback;
  /** The redacted URL, for logs and errors. */
  private readonly where: string;
  private readonly logger: Logger;
  private readonly label: string;
  private readonly onFallback: (reason: RateLimitFallbackReason) => void;
  private readonly backoffMs: number;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private degraded = false;
  private skipRedisUntil = 0;
  private closing: Promise<void> | undefined;

  constructor(options: RedisLimiterOptions<Fallback>, defaults: RedisLimiterDefaults<Fallback>) {
    this.logger = options.logger;
    this.label = defaults.label;
    this.keyPrefix = options.keyPrefix ?? defaults.keyPrefix;
    this.fallback = options.fallback ?? defaults.fallback();
    this.onFallback = options.onFallback ?? (() => {});
    this.where = redactRedisUrl(options.url);
    this.backoffMs = options.backoffMs ?? 5000;
    this.client = new (loadRedis())(options.url, {
      connectionName: options.connectionName ?? defaults.connectionName,
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
      this.warn({ err: error }, `${this.label}: Redis connection error`);
    });
    this.client.on('ready', () => {
      if (this.degraded) this.logger.info({ redis: this.where }, `${this.label}: Redis reachable again`);
      else this.logger.debug({ redis: this.where }, `${this.label}: Redis connected`);
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

  /**
   * The decision from Redis (`ask`) when it can give one, otherwise from `fallBack`: at once when
   * not connected or backing off, and after a failed or timed-out call (which starts a back-off).
   */
  protected async decide<T>(ask: () => Promise<T>, fallBack: () => Promise<T>): Promise<T> {
    if (!this.connected) return this.fallBack(fallBack, 'not_connected');
    if (Date.now() < this.skipRedisUntil) return this.fallBack(fallBack, 'backing_off');
    try {
      return await ask();
    } catch (error) {
      this.skipRedisUntil = Date.now() + this.backoffMs;
      return this.fallBack(fallBack, 'command_failed', error);
    }
  }

  /** Runs a script by its SHA, sending its source once when Redis does not know it (NOSCRIPT). */
  protected async evalScript(
    script: LuaScript,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    try {
      return await this.client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  private fallBack<T>(
    fallBack: () => Promise<T>,
    reason: RateLimitFallbackReason,
    error?: unknown,
  ): Promise<T> {
    this.degraded = true;
    this.onFallback(reason);
    this.warn(
      { reason, status: this.client.status, ...(error ? { err: error } : {}) },
      `${this.label}: Redis unavailable, counting in this process only`,
    );
    return fallBack();
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
