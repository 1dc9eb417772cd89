// Points budgets in Redis: one string per bucket (its TAT, see ./points.ts), read and written by
// one Lua script, so that concurrent calls from any number of processes never overspend. Time
// comes from the Redis server (TIME): every process shares one clock.
//
// When Redis cannot answer the call is decided in process instead, exactly like the sign-in
// limiter (both use ./redis-with-fallback.ts): no offline queue, a short command timeout, a few
// seconds of not asking after a failure, a warning at most every 30 s. Each process then counts on
// its own until Redis is back; nothing ever waits on a dead Redis.
import {
  checkCost,
  combine,
  gcraOf,
  MemoryPointsLimiter,
  type PointsBucket,
  type PointsDecision,
  type PointsLimiter,
} from './points';
import { luaScript, RedisWithFallback, type RedisLimiterOptions } from './redis-with-fallback';

// KEYS: the buckets. ARGV[1]: cost; then per bucket: ms per point, burst. Returns per bucket
// allowed (1/0), wait ms, whole points left. Writes only when every bucket allows.
const SCRIPT = luaScript(`
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
`);

// KEYS: the buckets. ARGV[1]: points; then per bucket: ms per point. Moves each TAT back by that
// many points, never below now (a bucket already full again gains nothing).
const REFUND_SCRIPT = luaScript(`
local points = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
for i = 1, #KEYS do
  local stored = tonumber(redis.call('GET', KEYS[i]))
  if stored and stored > now then
    local back = stored - points * tonumber(ARGV[i + 1])
    if back > now then
      redis.call('SET', KEYS[i], string.format('%.3f', back), 'PX', math.ceil(back - now) + 1)
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
return 1
`);

export const DEFAULT_POINTS_KEY_PREFIX = 'flow:points:';

/** Defaults: keys prefixed `flow:points:`, the connection named `flow-points`, memory as the fallback. */
export type RedisPointsLimiterOptions = RedisLimiterOptions<PointsLimiter>;

export class RedisPointsLimiter extends RedisWithFallback<PointsLimiter> implements PointsLimiter {
  constructor(options: RedisPointsLimiterOptions) {
    super(options, {
      label: 'points limiter',
      connectionName: 'flow-points',
      keyPrefix: DEFAULT_POINTS_KEY_PREFIX,
      fallback: () => new MemoryPointsLimiter(),
    });
  }

  async consume(buckets: readonly PointsBucket[], cost: number): Promise<PointsDecision> {
    checkCost(cost);
    const rules = buckets.map((bucket) => gcraOf(bucket.rule));
    if (buckets.length === 0) return combine([], 'redis');
    return this.decide(
      async () => {
        const keys = buckets.map((bucket) => this.keyPrefix + bucket.key);
        const args = [String(cost), ...rules.flatMap((r) => [String(r.intervalMs), String(r.burst)])];
        const reply = await this.evalScript(SCRIPT, keys, args);
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
      },
      () => this.fallback.consume(buckets, cost),
    );
  }

  async refund(
    buckets: readonly PointsBucket[],
    points: number,
    grantedBy: 'redis' | 'memory',
  ): Promise<void> {
    checkCost(points);
    if (grantedBy === 'memory') return this.fallback.refund(buckets, points, 'memory');
    // Points Redis granted go back to Redis only: while it is away they stay spent (the safe side).
    if (buckets.length === 0 || points === 0 || !this.connected) return;
    const keys = buckets.map((bucket) => this.keyPrefix + bucket.key);
    const args = [String(points), ...buckets.map((bucket) => String(gcraOf(bucket.rule).intervalMs))];
    await this.evalScript(REFUND_SCRIPT, keys, args).catch(() => undefined);
  }
}
