// The public API of @flow/live: what other packages and workspaces use. Everything else is internal.
export {
  createEventStreamHandler,
  EVENT_STREAM_PATH,
  EVENT_STREAM_SIGNED_OPERATION,
} from './pubsub/event-stream-server';
export { createPubSub } from './pubsub';
export {
  LiveStreamBridge,
  type LiveStreamBridgeOptions,
  liveStreamUrl,
  ServerSentEventParser,
} from './pubsub/live-stream-bridge';
export { MemoryPubSub } from './pubsub/memory';
export { RedisPubSub } from './pubsub/redis';
export { type PubSub } from './pubsub/types';
