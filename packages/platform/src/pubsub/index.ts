import type { Logger } from '../logger';
import { redactRedisUrl } from '../rate-limit/redis';
import { MemoryPubSub } from './memory';
import { RedisPubSub, type RedisPubSubOptions } from './redis';
import type { PubSub } from './types';

export * from './types';
export * from './memory';
export * from './redis';
export {
  LiveStreamBridge,
  liveStreamUrl,
  ServerSentEventParser,
  type LiveStreamBridgeOptions,
  type ServerSentEvent,
} from './live-stream-bridge';
export * from './event-stream-server';

export interface CreatePubSubOptions extends Omit<RedisPubSubOptions, 'url' | 'logger'> {
  /** A Redis URL: one channel shared by every process. None (or empty): this process only. */
  redisUrl?: string;
  logger: Logger;
}

/** Redis when a URL is given, in-process otherwise (bridged to the router by its /events live stream). */
export function createPubSub(options: CreatePubSubOptions): PubSub {
  const { redisUrl, ...rest } = options;
  if (!redisUrl) {
    options.logger.debug('pub/sub: in-process channel (no Redis URL)');
    return new MemoryPubSub({ logger: options.logger });
  }
  options.logger.debug({ redis: redactRedisUrl(redisUrl), prefix: rest.prefix }, 'pub/sub: Redis channel');
  return new RedisPubSub({ ...rest, url: redisUrl });
}
