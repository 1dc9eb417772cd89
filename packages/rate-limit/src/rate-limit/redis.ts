// The shared store: one sorted set per key (a sliding-window log), updated by one Lua script so
// that concurrent calls from any number of processes cannot exceed the limit. Time comes from the
// Redis server (TIME), so every process shares one clock.
//
// When Redis cannot answer (not connected yet, down, or slower than the command timeout) the call
// is decided by an in-process limiter instead (see ./redis-with-fallback.ts): sign-in keeps working
// and no internal error reaches a client. Each process then counts on its own, so N processes
// allow up to N times the limit until Redis is back.
import { randomUUID } from 'node:crypto';
import { MemoryRateLimiter } from './memory';
import { luaScript, RedisWithFallback, type RedisLimiterOptions } from './redis-with-fallback';
import { ruleCost, type RateLimitDecision, type RateLimiter, type RateLimitRule } from './types';

export { redactRedisUrl, type RateLimitFallbackReason } from './redis-with-fallback';

// KEYS[1]: the key. ARGV: limit, windowMs, cost, a unique id for this call's members.
// Returns { allowed (1/0), remaining, retryAfterMs }. Refused calls add nothing.
const SCRIPT = luaScript(`
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
`);

export const DEFAULT_RATE_LIMIT_KEY_PREFIX = 'flow:rate-limit:';

/** Defaults: keys prefixed `flow:rate-limit:`, the connection named `flow-rate-limit`, memory as the fallback. */
export type RedisRateLimiterOptions = RedisLimiterOptions<RateLimiter>;

export class RedisRateLimiter extends RedisWithFallback<RateLimiter> implements RateLimiter {
  constructor(options: RedisRateLimiterOptions) {
    super(options, {
      label: 'rate limiter',
      connectionName: 'flow-rate-limit',
      keyPrefix: DEFAULT_RATE_LIMIT_KEY_PREFIX,
      fallback: () => new MemoryRateLimiter(),
    });
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const cost = ruleCost(rule);
    return this.decide(
      async () => {
        const args = [String(rule.limit), String(rule.windowMs), String(cost), randomUUID()];
        const reply = await this.evalScript(SCRIPT, [this.keyPrefix + key], args);
        if (!Array.isArray(reply) || reply.length !== 3) {
          throw new Error(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
        }
        const [allowed, remaining, retryAfterMs] = reply.map(Number) as [number, number, number];
        return { allowed: allowed === 1, remaining: Math.max(0, remaining), retryAfterMs, store: 'redis' };
      },
      () => this.fallback.consume(key, rule),
    );
  }
}
