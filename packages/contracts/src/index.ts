export {
  domainEventSchemas,
  DOMAIN_EVENT_TYPES,
  isDomainEventType,
  EVENT_PRODUCERS,
  type DomainEventData,
  type DomainEventInputMap,
  type DomainEventMap,
  type DomainEventOf,
  type DomainEventType,
  type EventBinding,
  type EventTypesOf,
  type TypedDomainEvent,
} from './events/catalog';
export { envelopeSchema, type EventEnvelope, type UncheckedEvent } from './events/envelope';
export { describeIssues, parseEvent, type EventParseResult } from './events/parse';
export { handleEvent, handledTypes, type EventHandlers, type HandlingOutcome } from './events/handlers';
export {
  InvalidEventError,
  outboxRow,
  recordEvent,
  recordEvents,
  type EventMeta,
  type JsonObject,
  type JsonValue,
  type OutboxBatchTransaction,
  type OutboxRow,
  type OutboxTransaction,
} from './events/outbox';
export { ORDER_EVENT_TYPES, type OrderEventType, type OrderSnapshot } from './events/orders';
export type { StockSnapshot } from './events/inventory';
export type { PaymentSnapshot } from './events/payments';
export { liveTopics, type LiveViewer } from './live-topics';
