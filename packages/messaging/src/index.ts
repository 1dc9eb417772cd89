// The public API of @flow/messaging: what other packages and workspaces use. Everything else is internal.
export { type ConsumedEventType, type ConsumerHandlers } from './event-consumers';
export { consumerQueues, EVENT_HEADERS } from './events/amqp-consumer';
export {
  consumedEventTypes,
  createEventBus,
  createSubgraphEventBus,
  type EventBusOptions,
  httpEventTargets,
} from './events/bus';
export {
  DEFAULT_EVENTS_EXCHANGE,
  matchesAnyBinding,
  matchesBinding,
  parseDomainEvent,
  parseDomainEventJson,
} from './events/domain-event';
export { HttpEventPublisher, type HttpEventTarget } from './events/http-publisher';
export { EVENT_INBOX_PATH, eventInboxUrl, inboxSignedOperation } from './events/http-signing';
export {
  outboxLag,
  outboxPending,
  outboxPublished,
  outboxPublishFailures,
  registerEventMetrics,
} from './events/metrics';
export {
  type DomainEvent,
  type DomainEventHandler,
  type EventBus,
  type EventPublisher,
  isPermanentEventError,
  PermanentEventError,
} from './events/types';
