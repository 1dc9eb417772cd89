import type { Logger } from '@flow/core';
import { redactRedisUrl } from '@flow/rate-limit';
import { MemoryPubSub } from './memory';
import { RedisPubSub, type RedisPubSubOptions } from './redis';
import type { PubSub } from './types';

export {
  type PatternListener,
  type PubSub,
  PubSubClosedError,
  type TopicListener,
  type Unsubscribe,
  assertTopic,
  patternPrefix,
  serializeMessage,
} from './types';
export { MemoryPubSub, type MemoryPubSubOptions } from './memory';
export { DEFAULT_PUBSUB_PREFIX, RedisPubSub, type RedisPubSubOptions } from './redis';
export {
  LiveStreamBridge,
  liveStreamUrl,
  ServerSentEventParser,
  type LiveStreamBridgeOptions,
  type ServerSentEvent,
} from './live-stream-bridge';
export {
  EVENT_STREAM_HEARTBEAT_MS,
  EVENT_STREAM_PATH,
  EVENT_STREAM_SIGNED_OPERATION,
  type EventStreamHandler,
  type EventStreamHandlerOptions,
  createEventStreamHandler,
  eventStreamFrame,
} from './event-stream-server';

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
