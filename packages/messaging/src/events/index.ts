export {
  type DomainEvent,
  type DomainEventHandler,
  type EventBus,
  type EventConsumerOptions,
  type EventInbox,
  type EventPublisher,
  PermanentEventError,
  isPermanentEventError,
} from './types';
export {
  DEFAULT_EVENTS_EXCHANGE,
  type ParsedDomainEvent,
  matchesAnyBinding,
  matchesBinding,
  parseDomainEvent,
  parseDomainEventJson,
} from './domain-event';
export {
  type ConsumeOutcome,
  eventsConsumed,
  outboxLag,
  outboxPending,
  outboxPublishFailures,
  outboxPublished,
  registerEventMetrics,
} from './metrics';
export {
  AmqpConnection,
  BrokerUnavailableError,
  redactAmqpUrl,
  type AmqpConnectionOptions,
} from './amqp-connection';
export { AmqpPublisher, type AmqpPublisherOptions } from './amqp-publisher';
export {
  AmqpConsumer,
  type AmqpConsumerOptions,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_PREFETCH,
  DEFAULT_QUEUE_PREFIX,
  DEFAULT_RETRY_DELAY_MS,
  EVENT_HEADERS,
  consumerQueues,
} from './amqp-consumer';
export { EVENT_INBOX_PATH, eventInboxUrl, inboxSignedOperation } from './http-signing';
export { HttpEventPublisher, type HttpEventPublisherOptions, type HttpEventTarget } from './http-publisher';
export { type EventInboxOptions, createEventInbox } from './http-inbox';
export {
  type EventBusOptions,
  type SubgraphBusConfig,
  consumedEventTypes,
  createEventBus,
  createSubgraphEventBus,
  httpEventTargets,
} from './bus';
