// The store of automatic persisted queries (Apollo Server's `persistedQueries.cache`): in Redis
// when REDIS_URL is set, so that a hash registered on one router is found on the others; in the
// process otherwise. Both are bounded: an entry above APQ_MAX_ENTRY_BYTES is not kept (the
// operation still runs; the client simply sends its text again next time), every entry expires
// after APQ_TTL_SECONDS, and the in-process store holds at most APQ_CACHE_MAX_BYTES.
//
// A store that fails must not fail the request (Apollo turns a throwing `get` into a 500): a Redis
// error is a miss (PERSISTED_QUERY_NOT_FOUND, and Apollo Client resends the text) and a failed
// write is forgotten.
import type { Redis } from 'ioredis';
import type { Logger } from '@flow/core';
import { ByteLru } from '../subscriptions/byte-lru';

/** ioredis (about 3 MB of heap) is loaded only when REDIS_URL asks for it: `npm start` has no Redis. */
const loadRedis = () => (require('ioredis') as typeof import('ioredis')).Redis;

/** Apollo's KeyValueCache, the part of it persisted queries use. */
export interface ApqCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
  /** Whether the store answers within `timeoutMs` (Redis: connected). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ApqSettings {
  ttlSeconds: number;
  maxEntryBytes: number;
  /** Bound of the in-process store. */
  maxBytes: number;
}

/** In-process: an LRU bounded by bytes, each entry with its expiry. */
export function memoryApqCache(settings: ApqSettings, now: () => number = Date.now): ApqCache {
  const entries = new ByteLru<{ query: string; expires: number }>(settings.maxBytes);
  return {
    async get(key) {
      const entry = entries.get(key);
      return entry && entry.expires > now() ? entry.query : undefined;
    },
    async set(key, query) {
      const bytes = Buffer.byteLength(query) + Buffer.byteLength(key);
      if (bytes > settings.maxEntryBytes) return;
      entries.set(key, { query, expires: now() + settings.ttlSeconds * 1000 }, bytes);
    },
    async delete(key) {
      return entries.delete(key);
    },
    ready: async () => true,
    async close() {},
  };
}

/** In Redis: one string per hash, `<REDIS_KEY_PREFIX>apq:<sha256>` (Apollo adds `apq:`), with its TTL. */
export function redisApqCache(
  settings: ApqSettings,
  redis: { url: string; keyPrefix: string },
  logger: Logger,
): ApqCache {
  const client: Redis = new (loadRedis())(redis.url, {
    connectionName: `flow-router-apq:${process.pid}`,
    connectTimeout: 1000,
    commandTimeout: 500,
    // Fail fast: a lookup while Redis is away is a miss, not a request left waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
  let lastWarning = 0;
  const warn = (error: unknown) => {
    if (Date.now() - lastWarning < 30_000) return;
    lastWarning = Date.now();
    logger.warn(
      { err: error },
      'APQ store (Redis) unavailable: persisted query lookups miss until it is back',
    );
  };
  client.on('error', warn);
  const keyOf = (key: string) => `${redis.keyPrefix}${key}`;
  return {
    async get(key) {
      try {
        return (await client.get(keyOf(key))) ?? undefined;
      } catch (error) {
        warn(error);
        return undefined;
      }
    },
    async set(key, query) {
      if (Buffer.byteLength(query) + Buffer.byteLength(key) > settings.maxEntryBytes) return;
      try {
        await client.set(keyOf(key), query, 'EX', settings.ttlSeconds);
      } catch (error) {
        warn(error);
      }
    },
    async delete(key) {
      try {
        return (await client.del(keyOf(key))) > 0;
      } catch (error) {
        warn(error);
        return false;
      }
    },
    ready: (timeoutMs) =>
      client.status === 'ready'
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => {
              client.off('ready', onReady);
              resolve(false);
            }, timeoutMs);
            const onReady = () => {
              clearTimeout(timer);
              resolve(true);
            };
            client.once('ready', onReady);
          }),
    async close() {
      client.disconnect();
    },
  };
}
